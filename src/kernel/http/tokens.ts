import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors.ts';
import type { TokenClaims } from './routes.ts';

const ISSUER = 'cleave';

/** Issues and checks the bearer tokens of the HTTP API (HS256, secret from JWT_SECRET). */
export class TokenService {
  /** A KeyObject made once: given raw bytes, jose would import the key again on every request. */
  private readonly key: KeyObject;
  /**
   * Tokens already verified, by their exact text, with their expiry. jose verifies through
   * WebCrypto (~50 µs of async work per token); a customer sends the same token with every
   * request. Only the same bytes hit, and the expiry is checked on every use.
   */
  private readonly verified = new LRUCache<string, { user: TokenClaims; expiresAtMs: number }>({ max: 10_000 });

  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async issue(user: TokenClaims): Promise<string> {
    return new SignJWT(user.version === undefined ? { role: user.role } : { role: user.role, ver: user.version })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAtMs) return known.user;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const role = payload.role === 'admin' ? 'admin' : 'customer';
      if (!payload.sub) throw new AppError('unauthorized', 'Token has no subject');
      const user: TokenClaims = typeof payload.ver === 'number' ? { id: payload.sub, role, version: payload.ver } : { id: payload.sub, role };
      if (payload.exp !== undefined) this.verified.set(token, { user, expiresAtMs: payload.exp * 1000 });
      return user;
    } catch (err) {
      if (err instanceof AppError) throw err;
      const expired = err instanceof joseErrors.JWTExpired;
      throw new AppError('unauthorized', expired ? 'Token expired: log in again' : 'Invalid token');
    }
  }
}
