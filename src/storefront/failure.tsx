import type { Request, Response } from 'express';
import { renderToString } from 'preact-render-to-string';
import { AppError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import { CHARGE_CURRENCY } from './money/display-currency.ts';
import { ErrorPage } from './pages/account-pages.tsx';
import type { View } from './pages/view.ts';
import type { Visit } from './visit.ts';

const TITLES: Record<number, string> = {
  400: 'That did not work',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Please try again',
  413: 'Too much at once',
  422: 'That did not work',
  429: 'Slow down',
  503: 'Back in a moment',
};

/**
 * The storefront's answer to anything a page threw: the status the API would give, as a page a
 * person can act on. Internal failures are logged with the request id and shown without detail.
 */
export async function renderFailure(err: unknown, req: Request, res: Response, logger: Logger): Promise<void> {
  const e = err as { type?: string; status?: number };
  let status: number;
  let message: string;
  if (err instanceof AppError && err.kind !== 'internal') {
    status = err.status;
    message = err.kind === 'not_found' ? 'We could not find that. It may have been removed.' : err.message;
  } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    // The body parser's refusals: too large, bad encoding.
    status = e.status;
    message = 'The form could not be read. Reload the page and try again.';
  } else {
    status = 500;
    message = `Something went wrong on our side. Please try again; if it keeps happening, quote request id ${req.id}.`;
    logger.error({ err, reqId: req.id, method: req.method, path: req.path }, 'storefront page failed');
  }
  const visit = res.locals.visit as Visit | undefined;
  // The frame needs the cart and categories; when those are what failed, a bare frame will do.
  const view: View = (await visit?.view().catch(() => undefined)) ?? { currency: visit?.session.currency ?? CHARGE_CURRENCY, csrf: '', signedIn: false, cartCount: 0, categories: [], returnTo: '/' };
  const page = <ErrorPage view={view} status={status} title={TITLES[status] ?? 'Something went wrong'} message={message} />;
  // Without a visit (its own start failed), there is no session to send back either.
  if (visit) visit.render(status, page);
  else res.status(status).type('html').send(`<!doctype html>${renderToString(page)}`);
}
