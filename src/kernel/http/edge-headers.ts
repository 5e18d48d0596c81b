import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RouteSpec } from './routes.ts';

/** Headers every response carries: no MIME sniffing, no framing, no referrer leaking ids in URLs. */
export function baseHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/**
 * Whether a route's answers may hold a token or personal data, and so must never be stored by a
 * browser or a shared cache. Only public reads (the catalog, search, quotes) are cacheable; any
 * signed-in route, and any public write (register and login answer with a token), is not.
 */
export function isPrivate(route: Pick<RouteSpec, 'access' | 'method'>): boolean {
  return route.access !== 'public' || route.method !== 'get';
}

/** The API docs page (swagger-ui) loads its scripts and styles from /docs itself; nothing else may run. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // swagger-ui-express writes one inline <style> block.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function docsCsp(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', DOCS_CSP);
  next();
}

/**
 * CORS for the browser origins an operator listed (CORS_ORIGINS); closed when none: no
 * Access-Control-Allow-Origin is ever sent, so browsers on other sites cannot read answers.
 * Tokens travel in the Authorization header, not cookies, so credentials stay off.
 */
export function corsFor(origins: string[] = []): RequestHandler | undefined {
  if (origins.length === 0) return undefined;
  return cors({
    origin: origins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
}
