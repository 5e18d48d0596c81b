import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildShop } from '../support/child-shop.ts';
import { Journeys, type Order } from '../journey/journey-helpers.ts';

let shop: ChildShop | undefined;
afterAll(() => shop?.stop());

describe('journeys: the shop killed in the middle of checkouts', () => {
  it('finishes every accepted order after kill -9 and a restart: none stuck, none charged twice, no stock leaked', async () => {
    shop = await ChildShop.start();
    let journeys = new Journeys(shop.url);
    const products = [await journeys.product({ onHand: 100 }), await journeys.product({ onHand: 100 })];
    const customers = await Promise.all(Array.from({ length: 20 }, () => journeys.customer()));
    const bought = customers.map((_, i) => ({ productId: products[i % 2].id, quantity: 1 + (i % 3) }));
    await Promise.all(customers.map((c, i) => journeys.addToCart(c, bought[i].productId, bought[i].quantity)));
    const keys = customers.map(() => randomUUID());

    // Fire the whole batch; pull the plug as soon as a few orders have been accepted.
    let acceptedSoFar = 0;
    const dying = shop;
    const answers = await Promise.all(customers.map((c, i) =>
      journeys.checkout(c, { key: keys[i] }).then(
        (res) => {
          if (res.status !== 202) return null;
          if (++acceptedSoFar === 4) void dying.kill('SIGKILL');
          return res.body.id as string;
        },
        () => null,
      )));
    await dying.kill('SIGKILL');
    const accepted = answers.filter((id): id is string => id !== null);
    expect(accepted.length).toBeGreaterThanOrEqual(4);

    shop = await dying.restart();
    journeys = new Journeys(shop.url);
    // Customers whose answer was lost send the same checkout again: the key makes that safe.
    const retries = await Promise.all(customers.map((c, i) => journeys.checkout(c, { key: keys[i] })));
    for (const r of retries) expect([202, 409]).toContain(r.status);

    const orders: Array<Order & { customer: number }> = [];
    for (const [i, c] of customers.entries()) {
      const mine = await journeys.api.get('/api/orders', c.token);
      expect(mine.body.total).toBeLessThanOrEqual(1);
      for (const { id } of mine.body.items) orders.push({ ...(await journeys.settles(c, id, 45_000)), customer: i });
    }
    for (const id of accepted) expect(orders.map((o) => o.id)).toContain(id);

    const reserved = new Map<string, number>();
    for (const o of orders) {
      expect(['paid', 'cancelled']).toContain(o.status);
      const captured = (await journeys.payments(o.id)).filter((p) => p.status === 'captured');
      expect(captured).toHaveLength(o.status === 'paid' ? 1 : 0);
      const { productId, quantity } = bought[o.customer];
      if (o.status === 'paid') reserved.set(productId, (reserved.get(productId) ?? 0) + quantity);
    }
    for (const p of products) {
      expect(await journeys.stock(p.id)).toMatchObject({ onHand: 100, reserved: reserved.get(p.id) ?? 0 });
    }
  }, 120_000);
});
