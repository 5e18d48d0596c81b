import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../../src/kernel/events/handlers.ts';
import type { OrderStatus } from '../../../src/modules/order-processing/contract.ts';
import { TrackOrderProgress } from '../../../src/modules/order-taking/internal/on-order-status-changed.ts';
import { OrderTakingStore } from '../../../src/modules/order-taking/internal/order-taking-store.ts';
import { dbOf } from '../../support/db.ts';
import { eventually } from '../../support/eventually.ts';
import { orderFootprint, startOrderShop, type OrderShop } from '../../support/order-shop.ts';
import { published } from '../../support/published.ts';
import { expectNothingChangedBy } from '../../support/unchanged.ts';

let shop: OrderShop;

beforeAll(async () => {
  shop = await startOrderShop();
});
afterAll(() => shop?.stop());

/** An order row as checkout would store it, for the store's own tests. */
function anOrder(id: string, userId: string, at: string) {
  return {
    id, userId, status: 'placed' as const, cancelReason: null, items: [], subtotal: 0, shippingCost: 0, total: 0, shippingMethod: 'standard' as const,
    address: { name: 'A', line1: 'x', city: 'y', postalCode: '1', country: 'US' }, paymentStatus: null, trackingNumber: null, shipmentStatus: null, createdAt: at, updatedAt: at,
  };
}

async function customerWithOrders(count: number) {
  const c = await shop.api.registerCustomer();
  const address = await shop.api.post('/api/users/me/addresses', { name: 'A', line1: 'x', city: 'y', postalCode: '1', country: 'US' }, c.token);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    // A product of its own, in stock: the order runs on to paid like a real one.
    const productId = `p-${c.id}-${i}`;
    shop.fakes.warehouse.stock.set(productId, { onHand: 10, reserved: 0 });
    shop.fakes.cart.carts.set(c.id, [{ productId, quantity: 1, unitPrice: 100 + i }]);
    const res = await shop.api.post('/api/orders', { addressId: address.body.id, shippingMethod: 'standard', paymentToken: 'tok_visa' }, c.token, { 'Idempotency-Key': `${c.id}-${i}` });
    ids.push(res.body.id);
  }
  return { ...c, ids };
}

describe('order-taking: a customer’s orders', () => {
  it('lists the customer’s own orders, newest first, with a total and pages', async () => {
    const ann = await customerWithOrders(3);
    await customerWithOrders(1);
    const all = await shop.api.get('/api/orders', ann.token);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((o: { id: string }) => o.id)).toEqual([...ann.ids].reverse());
    const page = await shop.api.get('/api/orders?limit=1&offset=1', ann.token);
    expect(page.body.items.map((o: { id: string }) => o.id)).toEqual([ann.ids[1]]);
    expect((await shop.api.get('/api/orders?limit=0', ann.token)).status).toBe(400);
    expect((await shop.api.get('/api/orders?limit=abc', ann.token)).status).toBe(400);
  });

  it('lists orders taken within one millisecond newest first too, in the order they were taken', async () => {
    const store = new OrderTakingStore(dbOf(shop, 'order-taking'));
    const owner = `same-ms-${randomUUID()}`;
    const at = '2030-01-01T00:00:00.000Z';
    // Taken in an order that is neither their ids' order nor its reverse.
    const ids = ['c', 'a', 'b'].map((name) => `${name}-${randomUUID()}`);
    for (const id of ids) {
      await store.transaction(async (tx) => {
        await store.insertOrder(tx, anOrder(id, owner, at));
        await store.appendHistory(tx, id, 'placed', at);
      });
    }
    const { rows, total } = await store.listOrders(owner, 10, 0);
    expect(total).toBe(3);
    expect(rows.map((r) => r.id)).toEqual([...ids].reverse());
    expect((await store.listOrders(owner, 1, 1)).rows.map((r) => r.id)).toEqual([ids[1]]);
  });

  it('shows one order with its history, starting with placed', async () => {
    const ann = await customerWithOrders(1);
    const res = await shop.api.get(`/api/orders/${ann.ids[0]}`, ann.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ann.ids[0], shippingMethod: 'standard', subtotal: 100, shippingCost: 500, total: 600, currency: 'USD' });
    expect(res.body.history[0]).toMatchObject({ status: 'placed' });
  });

  it("answers 404 for another customer's order, to read it or to cancel it, and cancels nothing", async () => {
    const ann = await customerWithOrders(1);
    const [orderId] = ann.ids;
    await eventually(async () => (await shop.api.get(`/api/orders/${orderId}`, ann.token)).body, (o) => o.status === 'paid' && !!o.shipment, { what: 'a paid order booked for shipping' });
    const bob = await shop.api.registerCustomer();
    await expectNothingChangedBy(shop, orderFootprint(shop, ann.token, orderId), async () => {
      expect((await shop.api.get(`/api/orders/${orderId}`, bob.token)).status).toBe(404);
      expect((await shop.api.post(`/api/orders/${orderId}/cancel`, undefined, bob.token)).status).toBe(404);
    });
    const statuses = (await published(shop, 'order-processing', { type: 'order.status_changed', key: orderId })).map((e) => e.payload.status);
    expect(statuses).not.toContain('cancelled');
    expect(shop.fakes.warehouse.reservations.get(orderId)?.state).toBe('reserved');
    expect((await shop.api.get('/api/orders/no-such-order', bob.token)).status).toBe(404);
  });
});

describe('order-taking: following order-processing’s reports', () => {
  // The handler alone, on order-taking's database (orders of a user of their own, ids unique to this run).
  let store: OrderTakingStore;
  let tracker: TrackOrderProgress;
  const inTransaction: HandlerContext['commit'] = (write) => dbOf(shop, 'order-taking').transaction(async (tx) => write(tx));
  const ctx: HandlerContext = { attempt: 1, commit: inTransaction, write: inTransaction };
  const run = randomUUID().slice(0, 8);
  const id = (name: string) => `${name}-${run}`;

  beforeAll(() => {
    store = new OrderTakingStore(dbOf(shop, 'order-taking'));
    tracker = new TrackOrderProgress(store);
  });

  async function placedOrder(id: string) {
    const at = '2030-01-01T00:00:00.000Z';
    await store.transaction(async (tx) => {
      await store.insertOrder(tx, anOrder(id, `u1-${run}`, at));
      await store.appendHistory(tx, id, 'placed', at);
    });
  }
  const report = (orderId: string, status: OrderStatus, second: number, extra: object = {}) =>
    tracker.handle({ id: `${orderId}-${status}`, type: 'order.status_changed', version: 1, occurredAt: '', payload: { orderId, userId: `u1-${run}`, status, at: `2030-01-01T00:00:0${second}.000Z`, ...extra } }, ctx);
  const statuses = async (orderId: string) => (await store.history(orderId)).map((h) => h.status);

  it('moves the order forward and records each status once, with its time', async () => {
    const o1 = id('o1');
    await placedOrder(o1);
    await report(o1, 'stock_reserved', 1);
    await report(o1, 'paid', 2, { payment: { status: 'captured' } });
    await report(o1, 'paid', 2, { payment: { status: 'captured' } });
    expect(await statuses(o1)).toEqual(['placed', 'stock_reserved', 'paid']);
    expect((await store.history(o1)).map((h) => h.at)).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:01.000Z', '2030-01-01T00:00:02.000Z']);
    expect(await store.findOrder(o1)).toMatchObject({ status: 'paid', paymentStatus: 'captured' });
  });

  it('keeps the order where it is when a report arrives after a later one, and adds the step it passed through to its history', async () => {
    const o2 = id('o2');
    await placedOrder(o2);
    await report(o2, 'paid', 2, { payment: { status: 'captured' } });
    await report(o2, 'stock_reserved', 1);
    await report(o2, 'stock_reserved', 1);
    expect(await store.findOrder(o2)).toMatchObject({ status: 'paid', paymentStatus: 'captured' });
    expect(await statuses(o2)).toEqual(['placed', 'stock_reserved', 'paid']);
    expect((await store.history(o2)).map((h) => h.at)).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:01.000Z', '2030-01-01T00:00:02.000Z']);
  });

  it('keeps a cancelled order cancelled, and never cancels a shipped one', async () => {
    const [o3, o4] = [id('o3'), id('o4')];
    await placedOrder(o3);
    await report(o3, 'cancelled', 1, { reason: 'out_of_stock' });
    await report(o3, 'paid', 2);
    expect(await store.findOrder(o3)).toMatchObject({ status: 'cancelled', cancelReason: 'out_of_stock' });
    expect(await statuses(o3)).toEqual(['placed', 'cancelled']);
    await placedOrder(o4);
    await report(o4, 'shipped', 3, { shipment: { trackingNumber: 'T1', status: 'in_transit' } });
    await report(o4, 'cancelled', 4, { reason: 'customer_request' });
    expect(await store.findOrder(o4)).toMatchObject({ status: 'shipped', trackingNumber: 'T1', shipmentStatus: 'in_transit' });
    expect(await statuses(o4)).toEqual(['placed', 'shipped']);
  });
});
