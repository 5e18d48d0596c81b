import { hkdfSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../kernel/errors.ts';
import type { PageServices } from '../kernel/runtime.ts';
import { CsrfGuard } from './csrf.ts';
import { renderFailure } from './failure.tsx';
import { accountRoutes } from './routes/account.tsx';
import { browseRoutes } from './routes/browse.tsx';
import { cartRoutes } from './routes/cart.tsx';
import { shopOf, Visit } from './visit.ts';

/**
 * The storefront: server-rendered web pages for shoppers, served by the gateway beside the API.
 * It reads and changes the shop only through the modules' contracts, like the API's routes, so it
 * works in every topology. Pages work without JavaScript; /static/enhance.js only saves a click.
 * Paths follow Online Boutique's frontend (`/`, `/product/<id>`, `/cart`, `/cart/checkout`,
 * `/setCurrency`, `/logout`) so its load generator can drive the shop unchanged.
 */
export function createStorefront(edge: PageServices): RequestHandler {
  // Keys of their own, derived from the secret every gateway replica shares: a cookie signed by
  // one replica is good on all, and a leaked cookie key is not a token-signing key.
  const cookieKey = Buffer.from(hkdfSync('sha256', edge.config.jwtSecret, 'cleave-storefront', 'session cookie', 32)).toString('base64url');
  const csrf = new CsrfGuard(Buffer.from(hkdfSync('sha256', edge.config.jwtSecret, 'cleave-storefront', 'csrf token', 32)), new URL(edge.config.shopUrl).host);
  const shop = shopOf(edge, csrf);

  const pages = express.Router();
  pages.use(cookieParser(cookieKey));
  pages.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  pages.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      // same-origin, not the API's no-referrer: under no-referrer browsers send `Origin: null` with
      // a form post, and the CSRF check could not tell the shop's own forms from a forged one.
      res.set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': PAGE_CSP, 'Referrer-Policy': 'same-origin' });
      const visit = await Visit.start(shop, req, res);
      res.locals.visit = visit;
      if (req.method === 'POST') {
        const refusal = csrf.refusal(req, visit.session.sid);
        if (refusal) throw new AppError('forbidden', refusal);
      }
      next();
    } catch (err) {
      next(err);
    }
  });
  browseRoutes(pages);
  cartRoutes(pages);
  accountRoutes(pages);
  // A storefront path no page answers (/account/x, GET /cart/checkout): a page saying so, not the API's JSON.
  pages.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('not_found', 'No such page')));
  pages.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    renderFailure(err, req, res, edge.logger).catch((renderErr: unknown) => {
      edge.logger.error({ err: renderErr, reqId: req.id }, 'storefront error page failed');
      if (!res.headersSent) res.status(500).type('text').send(`Something went wrong. Quote request id ${req.id} when reporting it.`);
    });
  });

  const assets = express.static(STATIC_DIR, { index: false, maxAge: '1d', fallthrough: false });
  return (req, res, next) => {
    // Every API request passes here first: one look at its path (`req.path` parses the URL each time).
    const path = req.path;
    if (path.startsWith('/api/')) return next();
    if (path.startsWith('/static/')) {
      req.url = req.url.slice('/static'.length);
      return assets(req, res, (err?: unknown) => {
        req.url = `/static${req.url}`;
        next(err);
      });
    }
    if (!isPagePath(req, path)) return next();
    pages(req, res, next);
  };
}

const STATIC_DIR = fileURLToPath(new URL('./static', import.meta.url));

const PAGE_PREFIXES = ['/product/', '/category/', '/order/', '/account/'];
const PAGE_PATHS = new Set(['/cart', '/cart/empty', '/cart/checkout', '/cart/update', '/cart/remove', '/setCurrency', '/logout', '/login', '/register', '/search', '/wishlist', '/wishlist/remove', '/wishlist/move-to-cart']);

/** The storefront's paths; everything else (the API, docs, probes) passes by untouched. `/` is a page unless the client asks for JSON. */
function isPagePath(req: Request, path: string): boolean {
  if (path === '/') return req.accepts(['html', 'json']) !== 'json';
  return PAGE_PATHS.has(path) || PAGE_PREFIXES.some((p) => path.startsWith(p));
}

/** Pages load their own styles and script, pictures from the shop or any HTTPS host (a catalog's CDN), and post forms only to the shop. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
