import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutOn } from '../../support/order-checkout.ts';
import { startOrderShop, type OrderShop } from '../../support/order-shop.ts';
import { expectNothingChangedBy } from '../../support/unchanged.ts';

let shop: OrderShop;
let admin: string;

beforeAll(async () => {
  shop = await startOrderShop();
  admin = await shop.api.adminToken();
});
afterAll(() => shop?.stop());

const checkout = checkoutOn(() => shop);
const adminGet = (path: string) => shop.api.get(path, admin);
const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((o) => o.id);

describe('order-taking: the back office', () => {
  it('lists every customer’s orders newest first, with their customer, filtered by status, customer and time', async () => {
    const first = await checkout();
    const declined = await checkout({ paymentToken: 'tok_chargeDeclined' });
    const last = await checkout();
    await Promise.all([first.reaches('paid'), declined.reaches('cancelled'), last.reaches('paid')]);
    const mine = [first.orderId, declined.orderId, last.orderId];

    const all = await adminGet('/api/admin/orders?limit=100');
    expect(all.status).toBe(200);
    expect(ids(all).filter((id) => mine.includes(id))).toEqual([last.orderId, declined.orderId, first.orderId]);
    expect(all.body.total).toBeGreaterThanOrEqual(3);
    const firstOrder = await first.order();
    expect(all.body.items.find((o: { id: string }) => o.id === first.orderId)).toEqual({
      id: first.orderId, userId: expect.any(String), status: 'paid', items: firstOrder.items, subtotal: firstOrder.subtotal,
      shippingCost: firstOrder.shippingCost, total: firstOrder.total, currency: 'USD', createdAt: firstOrder.createdAt,
    });

    const cancelled = await adminGet('/api/admin/orders?status=cancelled&limit=100');
    expect(ids(cancelled)).toContain(declined.orderId);
    expect(cancelled.body.items.every((o: { status: string }) => o.status === 'cancelled')).toBe(true);

    const { userId } = (await adminGet(`/api/admin/orders/${last.orderId}`)).body;
    expect((await adminGet(`/api/admin/orders?userId=${userId}`)).body).toMatchObject({ items: [{ id: last.orderId }], total: 1 });

    // from is inclusive, to exclusive; a date alone is midnight UTC, an offset is honoured.
    const at = firstOrder.createdAt as string;
    expect(ids(await adminGet(`/api/admin/orders?from=${encodeURIComponent(at)}&to=${encodeURIComponent(at)}`))).toEqual([]);
    const justFirst = await adminGet(`/api/admin/orders?from=${encodeURIComponent(at)}&to=${encodeURIComponent(new Date(Date.parse(at) + 1).toISOString())}&limit=100`);
    expect(ids(justFirst)).toContain(first.orderId);
    expect((await adminGet('/api/admin/orders?to=2000-01-01')).body).toEqual({ items: [], total: 0 });
    const inTokyo = new Date(Date.parse(at) + 9 * 3600_000).toISOString().replace('Z', '+09:00');
    expect(ids(await adminGet(`/api/admin/orders?from=${encodeURIComponent(inTokyo)}&limit=100`))).toContain(first.orderId);
  });

  it('pages through every order with limit and offset, keeping the total', async () => {
    await checkout();
    const page1 = await adminGet('/api/admin/orders?limit=1');
    const page2 = await adminGet('/api/admin/orders?limit=1&offset=1');
    expect(page1.body.items).toHaveLength(1);
    expect(page2.body.items).toHaveLength(1);
    expect(page1.body.items[0].id).not.toBe(page2.body.items[0].id);
    expect(page1.body.total).toBe(page2.body.total);
  });

  it('shows any order with its history, payment, shipment and customer; 404 for an unknown one', async () => {
    const o = await checkout();
    await o.reaches('paid', (order) => !!order.shipment);
    const res = await adminGet(`/api/admin/orders/${o.orderId}`);
    expect(res.status).toBe(200);
    const { userId, ...asTheCustomerSeesIt } = res.body;
    expect(userId).toEqual(expect.any(String));
    expect(asTheCustomerSeesIt).toEqual(await o.order());
    expect((await adminGet('/api/admin/orders/no-such-order')).status).toBe(404);
  });

  it('cancels any order with admin_request, answers the same when repeated, and 409 once shipped, changing nothing', async () => {
    const open = await checkout();
    await open.reaches('paid', (order) => !!order.shipment);
    expect((await shop.api.post(`/api/admin/orders/${open.orderId}/cancel`, { reason: 'fraud check failed' }, admin)).status).toBe(202);
    expect(await open.reaches('cancelled')).toMatchObject({ cancelReason: 'admin_request', payment: { status: 'refunded' } });
    expect(open.stock().reserved).toBe(0);
    const again = await shop.api.post(`/api/admin/orders/${open.orderId}/cancel`, undefined, admin);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ status: 'cancelled' });

    const gone = await checkout();
    await gone.reaches('paid', (order) => !!order.shipment);
    await shop.fakes.logistics.report(gone.orderId, 'in_transit');
    await gone.reaches('shipped');
    await expectNothingChangedBy(shop, gone.footprint(), async () => {
      expect((await shop.api.post(`/api/admin/orders/${gone.orderId}/cancel`, {}, admin)).status).toBe(409);
    });
    expect((await shop.api.post('/api/admin/orders/no-such-order/cancel', {}, admin)).status).toBe(404);
  });

  it('answers 400 to a bad filter, a bad page or a bad body, and changes nothing', async () => {
    for (const query of ['status=lost', 'from=yesterday', 'to=2026-13-01', 'limit=0', 'limit=101', 'offset=-1', 'colour=red', 'userId=']) {
      expect((await adminGet(`/api/admin/orders?${query}`)).status, query).toBe(400);
    }
    const o = await checkout();
    await o.reaches('paid');
    await expectNothingChangedBy(shop, o.footprint(), async () => {
      expect((await shop.api.post(`/api/admin/orders/${o.orderId}/cancel`, { reason: 'x'.repeat(501) }, admin)).status).toBe(400);
    });
    expect((await shop.api.post(`/api/admin/orders/${o.orderId}/cancel`, { why: 'no' }, admin)).status).toBe(400);
  });

  it('is for admins only: 403 to a customer, even for their own order, and 401 without a token', async () => {
    const o = await checkout();
    const customer = await shop.api.registerCustomer();
    expect((await shop.api.get('/api/admin/orders', customer.token)).status).toBe(403);
    expect((await shop.api.get(`/api/admin/orders/${o.orderId}`, customer.token)).status).toBe(403);
    expect((await shop.api.post(`/api/admin/orders/${o.orderId}/cancel`, {}, customer.token)).status).toBe(403);
    expect((await shop.api.get('/api/admin/orders')).status).toBe(401);
  });
});
