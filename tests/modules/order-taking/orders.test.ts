import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../../src/kernel/events/handlers.ts';
import { openModuleDatabase, type ModuleDatabase } from '../../../src/kernel/persistence/database.ts';
import type { OrderStatus } from '../../../src/modules/order-processing/contract.ts';
import { TrackOrderProgress } from '../../../src/modules/order-taking/internal/on-order-status-changed.ts';
import { OrderTakingStore } from '../../../src/modules/order-taking/internal/order-taking-store.ts';
import { tempDataDir } from '../../../tools/temp-dirs.ts';
import { eventually } from '../../support/eventually.ts';
import { orderFootprint, startOrderShop, type OrderShop } from '../../support/order-shop.ts';
import { published } from '../../support/published.ts';
import { expectNothingChangedBy } from '../../support/unchanged.ts';

let shop: OrderShop;

beforeAll(async () => {
  shop = await startOrderShop();
});
afterAll(() => shop?.stop());

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
    const statuses = published(shop, 'order-processing', { type: 'order.status_changed', key: orderId }).map((e) => e.payload.status);
    expect(statuses).not.toContain('cancelled');
    expect(shop.fakes.warehouse.reservations.get(orderId)?.state).toBe('reserved');
    expect((await shop.api.get('/api/orders/no-such-order', bob.token)).status).toBe(404);
  });
});

describe('order-taking: following order-processing’s reports', () => {
  let database: ModuleDatabase;
  let store: OrderTakingStore;
  let tracker: TrackOrderProgress;
  const migrations = fileURLToPath(new URL('../../../src/modules/order-taking/migrations', import.meta.url));
  const ctx: HandlerContext = { attempt: 1, commit: (write) => database.sqlite.transaction(write)() };

  beforeAll(() => {
    database = openModuleDatabase(tempDataDir(), 'order-taking', migrations);
    store = new OrderTakingStore(database.db);
    tracker = new TrackOrderProgress(store);
  });
  afterAll(() => database?.sqlite.close());

  function placedOrder(id: string) {
    const at = '2030-01-01T00:00:00.000Z';
    store.insertOrder({
      id, userId: 'u1', status: 'placed', cancelReason: null, items: [], subtotal: 0, shippingCost: 0, total: 0, shippingMethod: 'standard',
      address: { name: 'A', line1: 'x', city: 'y', postalCode: '1', country: 'US' }, paymentStatus: null, trackingNumber: null, shipmentStatus: null, createdAt: at, updatedAt: at,
    });
    store.appendHistory(id, 'placed', at);
  }
  const report = (orderId: string, status: OrderStatus, second: number, extra: object = {}) =>
    tracker.handle({ id: `${orderId}-${status}`, type: 'order.status_changed', version: 1, occurredAt: '', payload: { orderId, userId: 'u1', status, at: `2030-01-01T00:00:0${second}.000Z`, ...extra } }, ctx);
  const statuses = (orderId: string) => store.history(orderId).map((h) => h.status);

  it('moves the order forward and records each status once, with its time', () => {
    placedOrder('o1');
    report('o1', 'stock_reserved', 1);
    report('o1', 'paid', 2, { payment: { status: 'captured' } });
    report('o1', 'paid', 2, { payment: { status: 'captured' } });
    expect(statuses('o1')).toEqual(['placed', 'stock_reserved', 'paid']);
    expect(store.findOrder('o1')).toMatchObject({ status: 'paid', paymentStatus: 'captured' });
  });

  it('ignores a report that arrives after a later one', () => {
    placedOrder('o2');
    report('o2', 'paid', 2);
    report('o2', 'stock_reserved', 1);
    expect(store.findOrder('o2')?.status).toBe('paid');
    expect(statuses('o2')).toEqual(['placed', 'paid']);
  });

  it('keeps a cancelled order cancelled, and never cancels a shipped one', () => {
    placedOrder('o3');
    report('o3', 'cancelled', 1, { reason: 'out_of_stock' });
    report('o3', 'paid', 2);
    expect(store.findOrder('o3')).toMatchObject({ status: 'cancelled', cancelReason: 'out_of_stock' });
    placedOrder('o4');
    report('o4', 'shipped', 3, { shipment: { trackingNumber: 'T1', status: 'in_transit' } });
    report('o4', 'cancelled', 4, { reason: 'customer_request' });
    expect(store.findOrder('o4')).toMatchObject({ status: 'shipped', trackingNumber: 'T1', shipmentStatus: 'in_transit' });
  });
});
