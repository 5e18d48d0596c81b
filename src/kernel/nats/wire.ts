import type { WireError } from '../errors.ts';

/**
 * What travels in a call's reply. Errors are data (kind + message), never stack traces, so a
 * caller rebuilds the same typed AppError the callee threw.
 */
export type Reply = { ok: true; result: unknown } | { ok: false; error: WireError };

/** What a module's replica answers to a ping: `starting` until its process's start-up work is done. */
export interface PingReply {
  starting: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON bytes; `undefined` becomes an empty payload (JSON has no undefined). */
export function encodeJson(value: unknown): Uint8Array {
  return value === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(value));
}

/** Parses JSON bytes; an empty payload reads back as `undefined`. Throws on malformed JSON. */
export function decodeJson<T>(data: Uint8Array): T {
  return (data.length === 0 ? undefined : JSON.parse(decoder.decode(data))) as T;
}
