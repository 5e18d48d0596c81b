import type { ComponentChildren } from 'preact';
import { CHARGE_CURRENCY, DISPLAY_CURRENCIES, RATES_DATE } from '../money/display-currency.ts';
import { Csrf } from './parts.tsx';
import type { View } from './view.ts';

/** The frame of every page: header with search, categories, currency and cart; main; footer. */
export function Layout({ view, title, children, refreshSeconds }: { view: View; title: string; children: ComponentChildren; refreshSeconds?: number }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {refreshSeconds !== undefined && <meta http-equiv="refresh" content={String(refreshSeconds)} />}
        <title>{`${title} · Cleave shop`}</title>
        <link rel="stylesheet" href="/static/styles.css" />
        <link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml" />
        <script src="/static/enhance.js" defer />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">Cleave<span> shop</span></a>
            <form class="search" action="/search" method="get" role="search">
              <label for="q" class="visually-hidden">Search products</label>
              <input id="q" name="q" type="search" placeholder="Search products" value={view.query ?? ''} />
              <button type="submit">Search</button>
            </form>
            <nav class="account" aria-label="Account">
              <form class="currency" action="/setCurrency" method="post">
                <Csrf view={view} />
                <input type="hidden" name="return_to" value={view.returnTo} />
                <label for="currency_code" class="visually-hidden">Display currency</label>
                <select id="currency_code" name="currency_code" data-autosubmit>
                  {DISPLAY_CURRENCIES.map((code) => <option value={code} selected={code === view.currency}>{code}</option>)}
                </select>
                <button type="submit" class="js-hide">Set</button>
              </form>
              {view.signedIn ? (
                <>
                  <a href="/account/orders">Orders</a>
                  <a href="/account/notifications">Notices</a>
                  <a href="/wishlist">Wishlist</a>
                  <form action="/logout" method="post" class="inline">
                    <Csrf view={view} />
                    <button type="submit" class="link">Sign out</button>
                  </form>
                </>
              ) : (
                <a href="/login">Sign in</a>
              )}
              <a class="cart-link" href="/cart">
                Cart <span class="badge" aria-label={`${view.cartCount} items in cart`}>{view.cartCount}</span>
              </a>
            </nav>
          </div>
          {view.categories.length > 0 && (
            <nav class="categories" aria-label="Categories">
              <ul>
                {view.categories.map((c) => (
                  <li><a href={`/category/${encodeURIComponent(c.slug)}`} aria-current={view.returnTo === `/category/${encodeURIComponent(c.slug)}` ? 'page' : undefined}>{c.name}</a></li>
                ))}
              </ul>
            </nav>
          )}
        </header>
        {view.notice && <p class="notice" role="status">{view.notice}</p>}
        <main id="main">{children}</main>
        <footer class="site-footer">
          <p>
            {view.currency === CHARGE_CURRENCY
              ? 'Prices in US dollars.'
              : `Prices shown in ${view.currency}, converted at the rates of ${RATES_DATE}; you are charged in US dollars.`}
          </p>
          <p><a href="/docs">API</a> · <a href="/healthz">Status</a> · A demo shop: no real payment is taken.</p>
        </footer>
      </body>
    </html>
  );
}
