import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The carrier signs each webhook body with HMAC-SHA256 under the shared secret, in lowercase hex.
 * Compared in constant time; the length check comes first because timingSafeEqual needs equal lengths.
 */
export function isSignedByCarrier(secret: string, rawBody: string, signature: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex'), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether a header could be a signature at all (64 lowercase hex digits); checking it needs no secret. */
export function looksLikeCarrierSignature(signature: string): boolean {
  return /^[0-9a-f]{64}$/.test(signature);
}
