import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RemoveOrderedItemsFromCart } from '../src/modules/cart/internal/on-order-placed.ts';
import { Assortment } from './support/assortment.ts';
import { ShopClient } from './support/client.ts';
import { startTestShop, type TestShop } from './support/shop.ts';

let shop: TestShop;
let api: ShopClient;
let shelf: Assortment;
let categoryId: string;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  shelf = await Assortment.open(api);
  categoryId = (await shelf.category('Tools')).id;
});
afterAll(async () => {
  await shop?.stop();
  vi.restoreAllMocks();
});

async function stockedProduct(name: string, price: number) {
  const product = await shelf.product({ name, categoryId, price });
  await shelf.stock(product.id, 50);
  return product;
}

async function checkout(token: string) {
  const address = await api.post('/api/users/me/addresses', { name: 'Ann', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' }, token);
  const order = await api.post('/api/orders', { addressId: address.body.id, shippingMethod: 'standard', paymentToken: 'tok_visa' }, token, { 'Idempotency-Key': randomUUID() });
  expect(order.status).toBe(202);
  return order.body;
}

const lines = async (token: string) =>
  ((await api.get('/api/cart', token)).body.items as Array<{ productId: string; quantity: number }>).map((i) => [i.productId, i.quantity]);

describe('cart: emptied by a placed order', () => {
  it('empties the cart soon after the order is placed', async () => {
    const ann = await api.registerCustomer();
    const saw = await stockedProduct('Saw', 2500);
    const drill = await stockedProduct('Drill', 8900);
    await api.post('/api/cart/items', { productId: saw.id, quantity: 2 }, ann.token);
    await api.post('/api/cart/items', { productId: drill.id, quantity: 1 }, ann.token);
    const order = await checkout(ann.token);
    expect(order.subtotal).toBe(13900);
    await shop.settled();
    expect(await lines(ann.token)).toEqual([]);
  });

  it('keeps what was put in the cart after checkout: only the ordered units leave', async () => {
    const ann = await api.registerCustomer();
    const hammer = await stockedProduct('Hammer', 1200);
    const nails = await stockedProduct('Nails', 300);
    await api.post('/api/cart/items', { productId: hammer.id, quantity: 1 }, ann.token);

    // Hold the handler until the customer has added more, as when the event is slow to arrive.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const handle = RemoveOrderedItemsFromCart.prototype.handle;
    const spy = vi.spyOn(RemoveOrderedItemsFromCart.prototype, 'handle').mockImplementation(async function (this: RemoveOrderedItemsFromCart, event, ctx) {
      await held;
      return handle.call(this, event, ctx);
    });

    await checkout(ann.token);
    await api.post('/api/cart/items', { productId: hammer.id, quantity: 2 }, ann.token);
    await api.post('/api/cart/items', { productId: nails.id, quantity: 5 }, ann.token);
    release();
    await shop.settled();
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(await lines(ann.token)).toEqual([[hammer.id, 2], [nails.id, 5]]);
  });
});
