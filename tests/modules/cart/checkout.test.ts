import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { InboxHandler } from '../../../src/kernel/events/handler-run.ts';
import { InboxIntake } from '../../../src/kernel/events/inbox-intake.ts';
import { shopWithCategory } from '../../support/shop-with-category.ts';

const t = shopWithCategory('Tools');

async function stockedProduct(name: string, price: number) {
  const product = await t.shelf.product({ name, categoryId: t.categoryId, price });
  await t.shelf.stock(product.id, 50);
  return product;
}

async function checkout(token: string) {
  const address = await t.api.post('/api/users/me/addresses', { name: 'Ann', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' }, token);
  const order = await t.api.post('/api/orders', { addressId: address.body.id, shippingMethod: 'standard', paymentToken: 'tok_visa' }, token, { 'Idempotency-Key': randomUUID() });
  expect(order.status).toBe(202);
  return order.body;
}

const lines = async (token: string) =>
  ((await t.api.get('/api/cart', token)).body.items as Array<{ productId: string; quantity: number }>).map((i) => [i.productId, i.quantity]);

describe('cart: emptied by a placed order', () => {
  it('empties the cart soon after the order is placed', async () => {
    const ann = await t.api.registerCustomer();
    const saw = await stockedProduct('Saw', 2500);
    const drill = await stockedProduct('Drill', 8900);
    await t.api.post('/api/cart/items', { productId: saw.id, quantity: 2 }, ann.token);
    await t.api.post('/api/cart/items', { productId: drill.id, quantity: 1 }, ann.token);
    const order = await checkout(ann.token);
    expect(order.subtotal).toBe(13900);
    await t.shop.settled();
    expect(await lines(ann.token)).toEqual([]);
  });

  it('keeps what was put in the cart after checkout: only the ordered units leave', async () => {
    const ann = await t.api.registerCustomer();
    const hammer = await stockedProduct('Hammer', 1200);
    const nails = await stockedProduct('Nails', 300);
    await t.api.post('/api/cart/items', { productId: hammer.id, quantity: 1 }, ann.token);

    // Hold order.placed on its way into the cart's inbox until the customer has added more, as when
    // the event is slow to arrive. (Held inside the projection instead, it would hold the cart's
    // write transaction, and the customer's adds with it.)
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const receive = InboxIntake.prototype.receive;
    let cartRuns = 0;
    const spy = vi.spyOn(InboxIntake.prototype, 'receive').mockImplementation(function (this: InboxIntake, events) {
      const handlers = (this as unknown as { byType: Map<string, InboxHandler[]> }).byType.get('order.placed') ?? [];
      if (!handlers.some((h) => h.name === 'RemoveOrderedItemsFromCart') || !events.some((e) => e.type === 'order.placed')) return receive.call(this, events);
      cartRuns++;
      return held.then(() => receive.call(this, events));
    });

    try {
      await checkout(ann.token);
      await t.api.post('/api/cart/items', { productId: hammer.id, quantity: 2 }, ann.token);
      await t.api.post('/api/cart/items', { productId: nails.id, quantity: 5 }, ann.token);
      release();
      await t.shop.settled();
    } finally {
      spy.mockRestore();
    }
    expect(cartRuns).toBe(1);
    // 1 + 2 hammers less the 1 ordered: taken twice, it would read 1.
    expect(await lines(ann.token)).toEqual([[hammer.id, 2], [nails.id, 5]]);
  });
});
