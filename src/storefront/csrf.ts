import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** The hidden form field every storefront form carries. */
export const CSRF_FIELD = '_csrf';

/**
 * Cross-site request forgery protection for the storefront's forms: a synchronizer token (an HMAC
 * of the session id, so it needs no storage) in every form, checked on every POST that comes from
 * a browser, and a POST whose Origin is another site is refused outright.
 *
 * "From a browser" means the request carries `Origin` or `Sec-Fetch-Site`: every browser in use
 * sends one of them on a form post, and a forged request can only come through a victim's
 * browser (it needs their cookie). A client that is not a browser (a script, Online Boutique's
 * load generator) sends neither and is not asked for a token: it can only act with its own
 * session, which is no forgery. The session cookie is also SameSite=Lax, so a cross-site POST
 * does not carry it in the first place.
 */
export class CsrfGuard {
  /**
   * @param shopHost the host of SHOP_URL: behind a reverse proxy that rewrites `Host`, the
   * browser's Origin names the public address, not the one the request arrived at.
   */
  constructor(
    private readonly key: Buffer,
    private readonly shopHost?: string,
  ) {}

  tokenFor(sessionId: string): string {
    return createHmac('sha256', this.key).update(`csrf:${sessionId}`).digest('base64url');
  }

  /** Why this POST must be refused, or undefined when it may go on. */
  refusal(req: Request, sessionId: string): string | undefined {
    const origin = req.get('origin');
    const fetchSite = req.get('sec-fetch-site');
    if (origin === undefined && fetchSite === undefined) return undefined;
    if (origin !== undefined) {
      const from = hostOf(origin);
      if (from === undefined || (from !== req.get('host') && from !== this.shopHost)) return 'This form was sent from another site.';
    }
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return 'This form was sent from another site.';
    const sent: unknown = req.body?.[CSRF_FIELD];
    const expected = Buffer.from(this.tokenFor(sessionId));
    // Compared as bytes: a token of the right length in characters may be longer in bytes.
    const got = typeof sent === 'string' ? Buffer.from(sent) : undefined;
    if (!got || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return 'This form has expired or is incomplete. Reload the page and try again.';
    }
    return undefined;
  }
}

/** The host:port of an Origin header; undefined for `null` or garbage. Only the host is compared: behind a TLS proxy the scheme differs. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
