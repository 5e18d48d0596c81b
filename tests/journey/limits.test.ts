import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assortment } from '../support/assortment.ts';
import { ShopClient } from '../support/client.ts';
import { CARRIER_SECRET } from '../support/env.ts';
import { published } from '../support/published.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';

// The spec's "limits": money is bounded, a request that would pass a bound is 422 naming it, and
// reads always answer. Here across modules: cart, logistics and order-taking in one shop.
const MAX = 1_000_000_000;

let shop: TestShop;
let api: ShopClient;
let shelf: Assortment;
let categoryId: string;

beforeAll(async () => {
  // A body limit above what the carrier webhook call carries, to reach the route's own size guard.
  shop = await startTestShop({ env: { HTTP_BODY_LIMIT: '1mb' } });
  api = new ShopClient(shop.url);
  shelf = await Assortment.open(api);
  categoryId = (await shelf.category('Bullion')).id;
});
afterAll(() => shop?.stop());

/** A customer with a French address and these lines in the cart. */
async function customerWith(lines: Array<{ price: number; quantity: number }>) {
  const c = await api.registerCustomer();
  const address = await api.post('/api/users/me/addresses', { name: 'Anne', line1: '1 rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' }, c.token);
  const productIds: string[] = [];
  for (const { price, quantity } of lines) {
    const { id } = await shelf.product({ name: 'Gold bar', categoryId, price });
    expect((await api.post('/api/cart/items', { productId: id, quantity }, c.token)).status).toBe(200);
    productIds.push(id);
  }
  const checkout = () => api.post('/api/orders', { addressId: address.body.id, shippingMethod: 'express', paymentToken: 'tok_visa' }, c.token, { 'Idempotency-Key': randomUUID() });
  const cart = async () => (await api.get('/api/cart', c.token)).body;
  return { ...c, productIds, checkout, cart };
}

/** Asserts the checkout was refused for the money limit, and that no order was stored or announced. */
async function expectRefusedForMoney(ann: Awaited<ReturnType<typeof customerWith>>) {
  const cartBefore = await ann.cart();
  const res = await ann.checkout();
  expect(res.status).toBe(422);
  expect(res.body.detail).toMatch(/money limit of 1,000,000,000 cents/);
  expect((await api.get('/api/orders', ann.token)).body.total).toBe(0);
  await shop.settled();
  expect((await published(shop, 'order-taking', { type: 'order.placed' })).filter((e) => e.payload.userId === ann.id)).toEqual([]);
  expect(await ann.cart()).toEqual(cartBefore);
}

describe('limits: checkout', () => {
  it('refuses with 422 an order whose total with express shipping to France passes the money limit, and orders nothing', async () => {
    const ann = await customerWith([{ price: MAX, quantity: 1 }]);
    expect(await ann.cart()).toMatchObject({ subtotal: MAX, withinLimits: true });
    await expectRefusedForMoney(ann);
  });

  it('still reads a cart a reprice took over the money limit, and refuses its checkout with 422', async () => {
    const ann = await customerWith([{ price: 1000, quantity: 2 }]);
    await shelf.change(ann.productIds[0], { price: MAX });
    const read = await api.get('/api/cart', ann.token);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ subtotal: 2 * MAX, withinLimits: false });
    await expectRefusedForMoney(ann);
  });
});

describe('limits: the carrier webhook', () => {
  it('answers 401 to an unsigned body larger than the call carries, and 400 to a signed one', async () => {
    const raw = JSON.stringify({ trackingNumber: 'CLV000000000000', status: 'in_transit', at: new Date().toISOString(), note: 'x'.repeat(300_000) });
    const send = (signature?: string) => {
      const req = api.http().post('/api/logistics/carrier-events').set('Content-Type', 'application/json');
      return (signature === undefined ? req : req.set('X-Carrier-Signature', signature)).send(raw);
    };
    expect((await send()).status).toBe(401);
    expect((await send('not-a-signature')).status).toBe(401);
    expect((await send(createHmac('sha256', CARRIER_SECRET).update(raw).digest('hex'))).status).toBe(400);
  });
});
