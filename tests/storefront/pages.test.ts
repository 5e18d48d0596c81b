import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';
import { boutiqueCheckoutForm, orderIdOf, statusOn, Visitor } from '../../tools/storefront-visitor.ts';

/** The storefront's pages, as a browser uses them (Origin, Sec-Fetch-Site, CSRF tokens), on the Online Boutique catalog. */
let shop: TestShop;
beforeAll(async () => {
  shop = await startTestShop({ env: { SEED_DEMO: 'boutique' } });
  await shop.settled();
});
afterAll(() => shop?.stop());

const browser = () => new Visitor(shop.url, { browser: true });

describe('storefront: browsing', () => {
  it('lists the catalog on the home page, linked to product pages', async () => {
    const home = await browser().get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    for (const id of ['OLJCESPC7Z', '66VCHSJNUP', 'L9ECAV7KIM']) expect(home.html).toContain(`href="/product/${id}"`);
    expect(home.html).toContain('Sunglasses');
    expect(home.html).toContain('$19.99');
  });

  it('still answers API clients at / with the JSON index', async () => {
    const res = await request(shop.url).get('/').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.links.docs).toBe('/docs');
  });

  it('shows a product with its description, picture text and an add-to-cart form', async () => {
    const page = await browser().get('/product/1YMWWN1N4O');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Watch</h1>');
    expect(page.html).toContain('gold-tone stainless steel watch');
    expect(page.html).toMatch(/<img[^>]+alt="Watch"/);
    expect(page.html).toContain('action="/cart"');
  });

  it('answers an unknown product with a 404 page, not a problem document', async () => {
    const page = await browser().get('/product/NOSUCHTHING');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.html).toContain('Not found');
  });

  it('cuts a very long search to its first 200 characters rather than listing everything', async () => {
    const page = await browser().get(`/search?q=${encodeURIComponent(`sunglasses ${'z'.repeat(300)}`)}`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/0 products/);
  });

  it('answers a storefront path no page has with a 404 page', async () => {
    for (const path of ['/account/nothing', '/cart/checkout', '/product/']) {
      const page = await browser().get(path);
      expect(page.status, path).toBe(404);
      expect(page.headers.get('content-type'), path).toMatch(/text\/html/);
      expect(page.html, path).toContain('Back to the shop');
    }
  });

  it('searches with category facets, and filters by a facet', async () => {
    const visitor = browser();
    const all = await visitor.get('/search?q=');
    expect(all.status).toBe(200);
    expect(all.html).toMatch(/9 products/);
    const facet = /href="(\/search\?category=[^"]+)"[^>]*>\s*kitchen/i.exec(all.html)?.[1];
    expect(facet, 'a kitchen facet link').toBeTruthy();
    const kitchen = await visitor.get(facet!.replaceAll('&amp;', '&'));
    expect(kitchen.html).toContain('Mug');
    expect(kitchen.html).not.toContain('Sunglasses');
    const words = await visitor.get('/search?q=sunglass');
    expect(words.html).toContain('href="/product/OLJCESPC7Z"');
    expect(words.html).toMatch(/1 product\b/);
  });

  it('shows prices in the chosen currency, dated, and says the charge stays in US dollars', async () => {
    const visitor = browser();
    await visitor.get('/product/OLJCESPC7Z');
    const euro = await visitor.post('/setCurrency', { currency_code: 'EUR', return_to: '/product/OLJCESPC7Z' });
    expect(euro.path).toBe('/product/OLJCESPC7Z');
    // 19.99 USD at 1.1305 USD per EUR.
    expect(euro.html).toContain('€17.68');
    expect(euro.html).toMatch(/converted at the rates of 2019-03-06; you are charged in US dollars/);
    const yen = await visitor.post('/setCurrency', { currency_code: 'JPY', return_to: '/product/OLJCESPC7Z' });
    expect(yen.html).toContain('¥2,235');
    await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 1 });
    const cart = await visitor.get('/cart');
    expect(cart.html).toContain('You will be charged in US dollars: $19.99 plus shipping');
  });

  it('refuses a currency it does not offer with a 400 page, and keeps the one chosen', async () => {
    const visitor = browser();
    await visitor.get('/');
    await visitor.post('/setCurrency', { currency_code: 'GBP' });
    const refused = await visitor.post('/setCurrency', { currency_code: 'XXX' });
    expect(refused.status).toBe(400);
    expect((await visitor.get('/product/OLJCESPC7Z')).html).toContain('£');
  });
});

describe('storefront: security', () => {
  it('sends a strict CSP, no framing, no caching of pages, and a signed HttpOnly SameSite cookie', async () => {
    const res = await fetch(`${shop.url}/`, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cleave_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(decodeURIComponent(cookie!.split(';')[0])).toMatch(/^cleave_session=s:j:/);
  });

  it('refuses a browser form without its CSRF token (403) and changes nothing', async () => {
    const visitor = browser();
    await visitor.get('/product/OLJCESPC7Z');
    const refused = await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 1 }, { csrf: false });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Reload the page and try again');
    const wrong = await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 1 }, { csrf: 'not-the-token' });
    expect(wrong.status).toBe(403);
    expect((await visitor.get('/cart')).html).toContain('Your cart is empty');
    const accepted = await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 1 });
    expect(accepted.status).toBe(200);
    expect(accepted.html).toContain('Added to your cart');
  });

  it('refuses a form posted from another site even with a token', async () => {
    const visitor = browser();
    await visitor.get('/');
    const forged = await visitor.post('/cart/empty', {}, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('sent from another site');
  });

  it('escapes what a visitor types, and follows only same-site paths after a form', async () => {
    const visitor = browser();
    const search = await visitor.get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(search.status).toBe(200);
    expect(search.html).not.toContain('<script>alert(1)</script>');
    expect(search.html).toContain('&lt;script>alert(1)&lt;/script>');
    for (const target of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const back = await visitor.post('/setCurrency', { currency_code: 'EUR', return_to: target });
      expect(back.path, target).toBe('/');
    }
  });

  it('refuses a token of the right length in characters but not in bytes with 403, not 500', async () => {
    const visitor = browser();
    await visitor.get('/');
    const token = visitor.csrfToken();
    const refused = await visitor.post('/setCurrency', { currency_code: 'EUR' }, { csrf: `é${token.slice(1)}` });
    expect(refused.status).toBe(403);
  });

  it('shows no notice for a code it does not know, inherited names included', async () => {
    const page = await browser().get('/?notice=constructor');
    expect(page.html).not.toContain('class="notice"');
  });

  it('starts a fresh session when the cookie was tampered with', async () => {
    const visitor = browser();
    await visitor.get('/');
    await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 1 });
    const cookie = visitor.cookies.get('cleave_session')!;
    // The guest cart's id edited (the signature no longer matches what it signs).
    expect(cookie).toContain('guest_');
    visitor.cookies.set('cleave_session', cookie.replace('guest_', 'guesx_'));
    const cart = await visitor.get('/cart');
    expect(cart.status).toBe(200);
    expect(cart.html).toContain('Your cart is empty');
  });
});

describe('storefront: checkout', () => {
  async function cartWithSunglasses(): Promise<Visitor> {
    const visitor = browser();
    await visitor.get('/product/OLJCESPC7Z');
    await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 1 });
    await visitor.get('/cart');
    return visitor;
  }

  it('refuses a mistyped card number, a past expiry and a missing address with 422, keeping the cart and the address typed', async () => {
    const visitor = await cartWithSunglasses();
    const luhn = await visitor.post('/cart/checkout', boutiqueCheckoutForm({ credit_card_number: '4432801561520455', street_address: '1 Elm Street' }));
    expect(luhn.status).toBe(422);
    expect(luhn.html).toMatch(/id="f-credit_card_number-error"/);
    expect(luhn.html).toContain('value="1 Elm Street"');
    expect(luhn.html).not.toContain('4432801561520455');
    const expired = await visitor.post('/cart/checkout', boutiqueCheckoutForm({ credit_card_expiration_year: 2020 }));
    expect(expired.status).toBe(422);
    expect(expired.html).toMatch(/id="f-credit_card_expiration_(month|year)-error"/);
    const noStreet = await visitor.post('/cart/checkout', boutiqueCheckoutForm({ street_address: '' }));
    expect(noStreet.status).toBe(422);
    expect(noStreet.html).toContain('Enter the street address');
    const noEmail = await visitor.post('/cart/checkout', boutiqueCheckoutForm({ email: 'not-an-email' }));
    expect(noEmail.status).toBe(422);
    expect((await visitor.get('/cart')).html).toContain('Sunglasses');
  });

  it('shows a declined card as a cancelled order', async () => {
    const visitor = await cartWithSunglasses();
    const placed = await visitor.post('/cart/checkout', boutiqueCheckoutForm({ credit_card_number: '4000 0000 0000 0002' }));
    const orderId = orderIdOf(placed);
    const page = await eventually(() => visitor.get(`/order/${orderId}`), (p) => statusOn(p) === 'cancelled', { what: 'the order to be cancelled' });
    expect(page.html).toContain('Cancelled: the card was declined');
  });

  it('places the same order once when the form is sent twice', async () => {
    const visitor = await cartWithSunglasses();
    const form = boutiqueCheckoutForm({ checkout_key: /name="checkout_key" value="([^"]+)"/.exec((await visitor.get('/cart')).html)![1] });
    const first = await visitor.post('/cart/checkout', form);
    const again = await visitor.post('/cart/checkout', form);
    expect(orderIdOf(again)).toBe(orderIdOf(first));
  });

  it('gives one order for a guest checkout sent twice at once, and again with the cookie from before', async () => {
    const visitor = await cartWithSunglasses();
    const form = boutiqueCheckoutForm({ checkout_key: `key-${Date.now()}` });
    const cookieBefore = new Map(visitor.cookies);
    const [first, second] = await Promise.all([visitor.post('/cart/checkout', form), visitor.post('/cart/checkout', form)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(orderIdOf(second)).toBe(orderIdOf(first));
    // The first answer lost: the browser sends the form again with the cookie it had.
    const replay = new Visitor(shop.url, { browser: true });
    for (const [k, v] of cookieBefore) replay.cookies.set(k, v);
    await replay.get('/cart');
    expect(orderIdOf(await replay.post('/cart/checkout', form))).toBe(orderIdOf(first));
  });

  it('gives one order for a signed-in checkout sent twice at once', async () => {
    const visitor = browser();
    await visitor.get('/register');
    await visitor.post('/register', { name: 'Dee', email: `double-${Date.now()}@example.org`, password: 'correct-horse-1' });
    await visitor.get('/product/OLJCESPC7Z');
    await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 1 });
    await visitor.get('/cart');
    const form = boutiqueCheckoutForm({ checkout_key: `key-${Date.now()}` });
    const answers = await Promise.all([1, 2, 3].map(() => visitor.post('/cart/checkout', form)));
    expect(new Set(answers.map(orderIdOf)).size).toBe(1);
  });

  it('comes back to the cart, not the form post, when the currency changes on a refused checkout', async () => {
    const visitor = await cartWithSunglasses();
    const refused = await visitor.post('/cart/checkout', boutiqueCheckoutForm({ street_address: '' }));
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('name="return_to" value="/cart"');
    const back = await visitor.post('/setCurrency', { currency_code: 'EUR', return_to: '/cart' });
    expect(back.path).toBe('/cart');
    expect(back.status).toBe(200);
  });

  it('lets a guest open their order from the email link in another browser, with the checkout email only', async () => {
    const visitor = await cartWithSunglasses();
    const form = boutiqueCheckoutForm();
    const orderId = orderIdOf(await visitor.post('/cart/checkout', form));
    const elsewhere = browser();
    const ask = await elsewhere.get(`/order/${orderId}`);
    expect(ask.status).toBe(200);
    expect(ask.html).toContain('Find your order');
    expect(ask.html).not.toContain('Sunglasses');
    const wrong = await elsewhere.post(`/order/${orderId}`, { email: 'someone-else@example.org' });
    expect(wrong.status).toBe(422);
    expect(wrong.html).not.toContain('Sunglasses');
    const right = await elsewhere.post(`/order/${orderId}`, { email: String(form.email).toUpperCase() });
    expect(right.status).toBe(200);
    expect(right.html).toContain('Sunglasses');
  });
});

describe('storefront: accounts', () => {
  it('merges a guest cart into the account on registration and on sign-in', async () => {
    const visitor = browser();
    await visitor.get('/product/OLJCESPC7Z');
    await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 2 });
    await visitor.get('/register');
    const email = `shopper-${Date.now()}@example.org`;
    const registered = await visitor.post('/register', { name: 'Ana', email, password: 'correct-horse-1' });
    expect(registered.html).toContain('Your account is ready');
    expect(registered.html).toContain('aria-label="2 items in cart"');
    // Signed out, the visitor starts a new guest cart; signing in brings both together.
    await visitor.get('/logout');
    expect((await visitor.get('/cart')).html).toContain('Your cart is empty');
    await visitor.get('/product/66VCHSJNUP');
    await visitor.post('/cart', { product_id: '66VCHSJNUP', quantity: 1 });
    await visitor.get('/login');
    const signedIn = await visitor.post('/login', { email, password: 'correct-horse-1' });
    expect(signedIn.html).toContain('aria-label="3 items in cart"');
    const cart = await visitor.get('/cart');
    expect(cart.html).toContain('Sunglasses');
    expect(cart.html).toContain('Tank Top');
    // The API sees the same cart.
    const token = (await request(shop.url).post('/api/auth/login').send({ email, password: 'correct-horse-1' })).body.token;
    const api = await request(shop.url).get('/api/cart').set('Authorization', `Bearer ${token}`);
    expect(api.body.items.map((l: { productId: string; quantity: number }) => [l.productId, l.quantity]).sort()).toEqual([['66VCHSJNUP', 1], ['OLJCESPC7Z', 2]]);
  });

  it('signs only this browser out on GET /logout, and every session of the account with the button', async () => {
    const email = `leaver-${Date.now()}@example.org`;
    const visitor = browser();
    await visitor.get('/register');
    await visitor.post('/register', { name: 'Lee', email, password: 'correct-horse-1' });
    const apiToken = (await request(shop.url).post('/api/auth/login').send({ email, password: 'correct-horse-1' })).body.token as string;
    const cart = () => request(shop.url).get('/api/cart').set('Authorization', `Bearer ${apiToken}`);
    await visitor.get('/logout');
    expect((await visitor.get('/account/orders')).path).toMatch(/^\/login/);
    expect((await cart()).status).toBe(200);
    await visitor.get('/login');
    await visitor.post('/login', { email, password: 'correct-horse-1' });
    await visitor.post('/logout', {});
    expect((await cart()).status).toBe(401);
  });

  it('says why a sign-in failed, with 401, and keeps the visitor a guest', async () => {
    const visitor = browser();
    await visitor.get('/login');
    const res = await visitor.post('/login', { email: 'nobody@example.org', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.html).toContain('role="alert"');
    expect(res.html).toContain('href="/login"');
  });

  it('sends a guest to sign in for the wishlist and orders, and back afterwards', async () => {
    const visitor = browser();
    const orders = await visitor.get('/account/orders');
    expect(orders.path).toMatch(/^\/login\?next=%2Faccount%2Forders/);
    const email = `wisher-${Date.now()}@example.org`;
    await visitor.get('/register');
    await visitor.post('/register', { name: 'Bo', email, password: 'correct-horse-1' });
    await visitor.get('/product/L9ECAV7KIM');
    const saved = await visitor.post('/wishlist', { product_id: 'L9ECAV7KIM' });
    expect(saved.path).toMatch(/^\/wishlist/);
    expect(saved.html).toContain('Loafers');
    await visitor.post('/cart', { product_id: 'L9ECAV7KIM', quantity: 1 });
    await visitor.get('/cart');
    const placed = await visitor.post('/cart/checkout', boutiqueCheckoutForm());
    const orderId = orderIdOf(placed);
    await eventually(() => visitor.get('/account/orders'), (p) => p.html.includes(`href="/order/${orderId}"`), { what: 'the order in the account' });
    await eventually(() => visitor.get('/account/notifications'), (p) => p.html.includes(`Order #${orderId.slice(0, 8)} placed`), { what: 'the order notice' });
  });
});
