/**
 * A visitor of the storefront, as a browser or a load generator is one: it keeps the cookies it
 * is given, follows redirects (303 after a form), and posts URL-encoded forms. As a `browser` it
 * also sends what browsers send with a form (Origin, Sec-Fetch-Site) and the page's CSRF token;
 * otherwise it posts bare forms, like Online Boutique's load generator.
 */
export interface Answer {
  status: number;
  /** The path of the page finally answered (after redirects), with its query. */
  path: string;
  html: string;
  headers: Headers;
  /** The statuses of the redirects followed on the way (e.g. [303]). */
  redirects: number[];
}

export class Visitor {
  readonly cookies = new Map<string, string>();
  /** The last page's HTML, where `post` finds the CSRF token in browser mode. */
  private lastHtml = '';

  constructor(
    readonly base: string,
    readonly options: { browser?: boolean } = {},
  ) {}

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request('GET', path, undefined, headers);
  }

  /** Posts a form; in browser mode with the last page's CSRF token unless `csrf: false` (or a token of its own). */
  post(path: string, form: Record<string, string | number>, { csrf = true, headers = {} }: { csrf?: boolean | string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const fields: Record<string, string> = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)]));
    if (this.options.browser && csrf !== false) fields._csrf = typeof csrf === 'string' ? csrf : this.csrfToken();
    return this.request('POST', path, new URLSearchParams(fields).toString(), headers);
  }

  /** The CSRF token of the last page answered. */
  csrfToken(): string {
    const token = /name="_csrf" value="([^"]+)"/.exec(this.lastHtml)?.[1];
    if (!token) throw new Error('The last page holds no form with a CSRF token');
    return token;
  }

  private async request(method: string, path: string, body: string | undefined, extra: Record<string, string>): Promise<Answer> {
    const redirects: number[] = [];
    let url = new URL(path, this.base);
    for (;;) {
      const headers: Record<string, string> = { accept: 'text/html', ...extra };
      if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        if (this.options.browser) {
          headers.origin ??= new URL(this.base).origin;
          headers['sec-fetch-site'] ??= 'same-origin';
        }
      }
      const res = await fetch(url, { method: body === undefined ? 'GET' : method, headers, body, redirect: 'manual' });
      for (const cookie of res.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        redirects.push(res.status);
        await res.arrayBuffer();
        url = new URL(res.headers.get('location')!, url);
        body = undefined;
        extra = {};
        continue;
      }
      const html = await res.text();
      this.lastHtml = html;
      return { status: res.status, path: url.pathname + url.search, html, headers: res.headers, redirects };
    }
  }
}

/** Online Boutique's checkout form as its load generator fills it (Python Faker's values). */
export function boutiqueCheckoutForm(overrides: Record<string, string | number> = {}): Record<string, string | number> {
  const year = new Date().getFullYear() + 1;
  return {
    email: `visitor-${Math.random().toString(36).slice(2, 10)}@example.org`,
    street_address: '7 Lovell Lane',
    zip_code: '94043',
    city: 'Port Jenniferside',
    state: 'CA',
    country: 'Korea',
    credit_card_number: '4432801561520454',
    credit_card_expiration_month: 1 + Math.floor(Math.random() * 12),
    credit_card_expiration_year: year + Math.floor(Math.random() * 70),
    credit_card_cvv: '672',
    ...overrides,
  };
}

/** The order id in an order page's path (`/order/<id>`). */
export function orderIdOf(answer: Answer): string {
  const id = /^\/order\/([^/?]+)/.exec(answer.path)?.[1];
  if (!id) throw new Error(`Not an order page: ${answer.path} (${answer.status})`);
  return decodeURIComponent(id);
}

/** The order status an order page shows (`data-status`). */
export function statusOn(answer: Answer): string | undefined {
  return /data-status="([a-z_]+)"/.exec(answer.html)?.[1];
}
