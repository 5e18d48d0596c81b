import type { Request, Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { AppError } from '../kernel/errors.ts';
import type { AuthUser } from '../kernel/http/routes.ts';
import type { PageServices } from '../kernel/runtime.ts';
import { cartContract } from '../modules/cart/contract.ts';
import { catalogContract, type Category } from '../modules/catalog/contract.ts';
import type { CsrfGuard } from './csrf.ts';
import type { View } from './pages/view.ts';
import { readSession, writeSession, type Session } from './session.ts';

/** Fixed messages a redirect may ask the next page to show (`?notice=`): no input is ever echoed. */
const NOTICES = {
  added: 'Added to your cart.',
  updated: 'Your cart is updated.',
  limit: 'A cart holds at most 99 of one item, within the order limit; your cart is unchanged.',
  emptied: 'Your cart is empty now.',
  wished: 'Saved to your wishlist.',
  moved: 'Moved to your cart.',
  signedin: 'You are signed in. Your cart came with you.',
  registered: 'Welcome! Your account is ready and your cart came with you.',
  signedout: 'You are signed out.',
  signin: 'Sign in to use your wishlist and see your orders.',
} as const;
export type Notice = keyof typeof NOTICES;

function noticeOf(code: unknown): string | undefined {
  return typeof code === 'string' && Object.hasOwn(NOTICES, code) ? NOTICES[code as Notice] : undefined;
}

/** Categories change rarely; every page shows them, so they are kept for a short while. */
const CATEGORY_TTL_MS = 30_000;

/** What the storefront shares between requests. */
export interface Shop {
  edge: PageServices;
  csrf: CsrfGuard;
  categories(): Promise<Category[]>;
}

export function shopOf(edge: PageServices, csrf: CsrfGuard): Shop {
  let cached: { at: number; items: Category[] } | undefined;
  return {
    edge,
    csrf,
    async categories() {
      if (!cached || Date.now() - cached.at > CATEGORY_TTL_MS) cached = { at: Date.now(), items: (await edge.use(catalogContract).listCategories({})).items };
      return cached.items;
    },
  };
}

/**
 * One request of one visitor: their session, who they are signed in as, whose cart they fill,
 * and the ways to answer (a page, a redirect). The session cookie is sent back only when it
 * changed, just before the answer.
 */
export class Visit {
  readonly session: Session;
  private readonly original: string;
  private constructor(
    readonly shop: Shop,
    readonly req: Request,
    readonly res: Response,
    loaded: { session: Session; original: string },
    /** The signed-in customer, if the session's token still stands. */
    readonly user: AuthUser | undefined,
  ) {
    this.session = loaded.session;
    this.original = loaded.original;
  }

  static async start(shop: Shop, req: Request, res: Response): Promise<Visit> {
    const { session, fresh } = readSession(req);
    // Taken before the token may be dropped below, so the cookie without it is sent back.
    const original = fresh ? '' : JSON.stringify(session);
    let user: AuthUser | undefined;
    if (session.token) {
      try {
        user = await shop.edge.authenticate(session.token);
      } catch (err) {
        // Expired, signed out elsewhere, or the account is gone: carry on as a guest. Anything
        // else (the user module unreachable) fails the page: a customer must not silently shop
        // as a guest.
        if (!(err instanceof AppError && err.kind === 'unauthorized')) throw err;
        session.token = undefined;
      }
    }
    return new Visit(shop, req, res, { session, original }, user);
  }

  use: PageServices['use'] = (contract) => this.shop.edge.use(contract);

  /** Whose cart this visitor fills: their account's when signed in, else the session's guest cart. */
  get cartOwner(): string {
    return this.user?.id ?? this.session.cart;
  }

  async view(extra: Partial<View> = {}): Promise<View> {
    const [categories, cart] = await Promise.all([this.shop.categories(), this.use(cartContract).getCart({ userId: this.cartOwner })]);
    return {
      currency: this.session.currency,
      csrf: this.shop.csrf.tokenFor(this.session.sid),
      signedIn: this.user !== undefined,
      cartCount: cart.items.reduce((n, line) => n + line.quantity, 0),
      categories,
      notice: noticeOf(this.req.query.notice),
      returnTo: returnPathOf(this.req),
      ...extra,
    };
  }

  render(status: number, page: VNode): void {
    this.saveSession();
    this.res.status(status).type('html').send(`<!doctype html>${renderToString(page)}`);
  }

  /** 303 See Other: after a form post the browser loads the next page with GET. */
  redirect(path: string, notice?: Notice): void {
    this.saveSession();
    this.res.redirect(303, notice ? `${path}${path.includes('?') ? '&' : '?'}notice=${notice}` : path);
  }

  private saveSession(): void {
    if (JSON.stringify(this.session) !== this.original) writeSession(this.req, this.res, this.session);
  }
}

/**
 * Where a form on this page (the currency, a sign-in) should bring the visitor back to: this page
 * itself when it was a GET (query kept, our own `notice` dropped); after a POST, the page that
 * shows what the post was about, since a POST path cannot be loaded again.
 */
export function returnPathOf(req: Request): string {
  if (req.method === 'GET') {
    const url = new URL(req.originalUrl, 'http://shop.invalid');
    url.searchParams.delete('notice');
    return url.pathname + url.search;
  }
  if (req.path.startsWith('/cart')) return '/cart';
  if (req.path.startsWith('/wishlist')) return '/wishlist';
  return req.path.startsWith('/order/') ? req.path : '/';
}

/** A same-site path to go back to after a form (`next`, `return_to`); anything else goes home. */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 500 ? value : fallback;
}
