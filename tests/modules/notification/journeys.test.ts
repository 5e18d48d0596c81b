import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { replayEvents } from '../../support/replay.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';
import { Shopper } from '../../support/shopper.ts';

let shop: TestShop;
let api: ShopClient;
let assortment: Assortment;
let categoryId: string;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  assortment = await Assortment.open(api);
  categoryId = (await assortment.category('Kitchen')).id;
});
afterAll(() => shop?.stop());

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
}

async function inbox(token: string): Promise<Notice[]> {
  await shop.settled();
  const res = await api.get('/api/notifications?limit=100', token);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function stockedProduct(name: string, price: number, onHand = 100): Promise<string> {
  const product = await assortment.product({ name, categoryId, price });
  // The warehouse opens the product's stock row once it hears the catalog's event.
  await shop.settled();
  await assortment.stock(product.id, onHand);
  // ... and the shop (wishlists too) hears of the stock before anyone wishes for the product.
  await shop.settled();
  return product.id;
}

describe('notification: orders', () => {
  it('after a paid order, the buyer\'s inbox holds the placed and paid notices, newest first', async () => {
    const buyer = await Shopper.register(api);
    const orderId = await buyer.buy([{ productId: await stockedProduct('Chef Knife', 5900) }]);
    const notices = await inbox(buyer.token);
    expect(notices.map((n) => n.kind)).toEqual(['order_paid', 'order_placed']);
    expect(notices.map((n) => n.title)).toEqual([`Order #${orderId.slice(0, 8)} paid`, `Order #${orderId.slice(0, 8)} placed`]);
  });

  it('tells the buyer when the order ships and when it is delivered', async () => {
    const buyer = await Shopper.register(api);
    const orderId = await buyer.buy([{ productId: await stockedProduct('Cutting Board', 2900) }]);
    await buyer.carrierReports(orderId, 'in_transit');
    await buyer.orderReaches(orderId, 'shipped');
    await buyer.carrierReports(orderId, 'delivered');
    await buyer.orderReaches(orderId, 'delivered');
    expect((await inbox(buyer.token)).map((n) => n.kind)).toEqual(['order_delivered', 'order_shipped', 'order_paid', 'order_placed']);
  });

  it('says in words why an order was cancelled', async () => {
    const declined = await Shopper.register(api);
    const declinedOrder = await declined.checkout([{ productId: await stockedProduct('Pepper Mill', 1900) }], 'tok_chargeDeclined');
    await declined.orderReaches(declinedOrder, 'cancelled');

    const unlucky = await Shopper.register(api);
    const soldOut = await unlucky.checkout([{ productId: await stockedProduct('Rare Whisk', 990, 0) }]);
    await unlucky.orderReaches(soldOut, 'cancelled');

    const changedMind = await Shopper.register(api);
    const regretted = await changedMind.checkout([{ productId: await stockedProduct('Egg Timer', 700) }]);
    expect((await api.post(`/api/orders/${regretted}/cancel`, undefined, changedMind.token)).status).toBe(202);
    await changedMind.orderReaches(regretted, 'cancelled');

    const cancellation = async (s: Shopper) => (await inbox(s.token)).find((n) => n.kind === 'order_cancelled')?.body;
    expect(await cancellation(declined)).toContain('your card was declined');
    expect(await cancellation(unlucky)).toContain('out of stock');
    expect(await cancellation(changedMind)).toContain('you cancelled it');
  });

  it('keeps each buyer\'s notices to themselves', async () => {
    const buyer = await Shopper.register(api);
    const other = await Shopper.register(api);
    await buyer.buy([{ productId: await stockedProduct('Ladle', 1200) }]);
    const [notice] = await inbox(buyer.token);
    expect(await inbox(other.token)).toEqual([]);
    expect((await api.post(`/api/notifications/${notice.id}/read`, undefined, other.token)).status).toBe(404);
  });
});

describe('notification: wishlist', () => {
  it('sends exactly one price-drop notice, in dollars, when a wished product gets cheaper; none when dearer', async () => {
    const wisher = await Shopper.register(api);
    const productId = await stockedProduct('Dutch Oven', 12900);
    await wisher.wish(productId);
    await shop.settled();
    await assortment.change(productId, { price: 13900 });
    expect(await inbox(wisher.token)).toEqual([]);
    await assortment.change(productId, { price: 9950 });
    const notices = await inbox(wisher.token);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'price_drop', title: 'Price drop: Dutch Oven' });
    expect(notices[0].body).toContain('now $99.50 (was $139.00)');
  });

  it('sends one back-in-stock notice when a sold-out wished product is restocked', async () => {
    const wisher = await Shopper.register(api);
    const productId = await stockedProduct('Pasta Machine', 7900, 0);
    await wisher.wish(productId);
    await shop.settled();
    expect((await api.post(`/api/inventory/${productId}/restock`, { quantity: 3 }, await api.adminToken())).status).toBe(200);
    const notices = await inbox(wisher.token);
    expect(notices.map((n) => [n.kind, n.title])).toEqual([['back_in_stock', 'Back in stock: Pasta Machine']]);
  });
});

describe('notification: redelivery', () => {
  it('changes no inbox when every event is delivered again, even if the inbox records were lost', async () => {
    const buyer = await Shopper.register(api);
    // Five on hand, one sold: available falls below the threshold of 5 and admins hear of it.
    await buyer.buy([{ productId: await stockedProduct('Balloon Whisk', 900, 5) }]);
    const admin = await api.adminToken();
    const before = { buyer: await inbox(buyer.token), admin: await inbox(admin) };
    expect(before.buyer).toHaveLength(2);
    expect(before.admin.map((n) => n.title)).toContain('Low stock: Balloon Whisk');
    const producers = ['user', 'catalog', 'warehouse', 'wishlist', 'order-taking', 'order-processing'];

    await replayEvents(shop, producers);
    expect({ buyer: await inbox(buyer.token), admin: await inbox(admin) }).toEqual(before);
    await replayEvents(shop, producers, { forgetHandled: ['notification'] });
    expect({ buyer: await inbox(buyer.token), admin: await inbox(admin) }).toEqual(before);
  });
});
