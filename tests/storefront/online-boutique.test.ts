import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kernel/logger.ts';
import { eventually } from '../support/eventually.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';
import { boutiqueCheckoutForm, orderIdOf, statusOn, Visitor } from '../../tools/storefront-visitor.ts';

/**
 * The requests of Online Boutique's load generator (src/loadgenerator/locustfile.py), as it sends
 * them: bare form posts with a session cookie, no CSRF token, against the shop started with its
 * demo catalog. None may answer an error status, and its checkouts must become real, paid orders.
 */
const BOUTIQUE_IDS = ['0PUK6V6EV0', '1YMWWN1N4O', '2ZYFJ3GM2N', '66VCHSJNUP', '6E92ZMYYFZ', '9SIQT8TOJO', 'L9ECAV7KIM', 'LS4PSXUNUM', 'OLJCESPC7Z'];
const CURRENCIES = ['EUR', 'USD', 'JPY', 'CAD', 'GBP', 'TRY'];

let shop: TestShop;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = createLogger('debug', { destination: { write: (line: string) => void logLines.push(line) } });
  shop = await startTestShop({ env: { SEED_DEMO: 'boutique' }, logger });
  await shop.settled();
});
afterAll(() => shop?.stop());

describe("Online Boutique's load generator", () => {
  it('browses, sets currencies, fills and empties carts, checks out and signs out without one error status', async () => {
    const visitor = new Visitor(shop.url);
    const seen: Array<[string, number]> = [];
    const note = (what: string) => (a: { status: number }) => {
      seen.push([what, a.status]);
      return a;
    };
    note('GET /')(await visitor.get('/'));
    for (const id of BOUTIQUE_IDS) note(`GET /product/${id}`)(await visitor.get(`/product/${id}`));
    for (const code of CURRENCIES) note(`POST /setCurrency ${code}`)(await visitor.post('/setCurrency', { currency_code: code }));
    note('POST /cart')(await visitor.post('/cart', { product_id: BOUTIQUE_IDS[0], quantity: 10 }));
    note('POST /cart')(await visitor.post('/cart', { product_id: BOUTIQUE_IDS[4], quantity: 1 }));
    note('GET /cart')(await visitor.get('/cart'));
    note('POST /cart/empty')(await visitor.post('/cart/empty', {}));
    note('POST /cart')(await visitor.post('/cart', { product_id: BOUTIQUE_IDS[2], quantity: 3 }));
    const placed = note('POST /cart/checkout')(await visitor.post('/cart/checkout', boutiqueCheckoutForm({ country: 'Holy See (Vatican City State)' })));
    note('GET /logout')(await visitor.get('/logout'));
    expect(seen.filter(([, status]) => status >= 400)).toEqual([]);
    expect(orderIdOf(placed as Awaited<ReturnType<Visitor['get']>>)).toBeTruthy();
  });

  it('turns a checkout into an order that gets paid, and the confirmation page shows it', async () => {
    const visitor = new Visitor(shop.url);
    await visitor.get('/');
    await visitor.post('/cart', { product_id: 'OLJCESPC7Z', quantity: 2 });
    const placed = await visitor.post('/cart/checkout', boutiqueCheckoutForm());
    expect(placed.status).toBe(200);
    expect(placed.redirects).toEqual([303]);
    expect(placed.html).toContain('Thank you! Your order is placed.');
    expect(placed.html).toContain('Sunglasses');
    const orderId = orderIdOf(placed);
    const paid = await eventually(() => visitor.get(`/order/${orderId}`), (page) => statusOn(page) === 'paid', { what: 'the order page to show paid' });
    expect(paid.html).toContain('Paid: we are getting it ready to ship');
    // The cart was emptied by the order.
    expect((await visitor.get('/cart')).html).toContain('Your cart is empty');
  });

  it('takes full country names, ISO codes and countries no shipping rate names', async () => {
    for (const country of ['Korea', 'Libyan Arab Jamahiriya', 'DE', 'Netherlands Antilles']) {
      const visitor = new Visitor(shop.url);
      await visitor.post('/cart', { product_id: '9SIQT8TOJO', quantity: 1 });
      const placed = await visitor.post('/cart/checkout', boutiqueCheckoutForm({ country }));
      expect(placed.status, country).toBe(200);
      orderIdOf(placed);
    }
  });

  it('never writes a card number or CVV to the log', async () => {
    const visitor = new Visitor(shop.url);
    await visitor.post('/cart', { product_id: '2ZYFJ3GM2N', quantity: 1 });
    const linesBefore = logLines.length;
    await visitor.post('/cart/checkout', boutiqueCheckoutForm({ credit_card_number: '4716190207394368', credit_card_cvv: '913' }));
    await visitor.post('/cart/checkout', boutiqueCheckoutForm({ credit_card_number: '4716190207394367', credit_card_cvv: '914' }));
    await shop.settled();
    const written = logLines.slice(linesBefore).join('\n');
    expect(written.length).toBeGreaterThan(0);
    for (const secret of ['4716190207394368', '4716190207394367', '"913"', '"914"']) expect(written).not.toContain(secret);
  });
});
