import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.ts';
import { checkoutOn } from '../../support/order-checkout.ts';
import { startOrderShop, type OrderShop } from '../../support/order-shop.ts';

/**
 * How the order saga gets over a neighbour that is down and over a restart. Few handler attempts
 * and fast retries, so an outage outlasts EVENT_MAX_ATTEMPTS within a second.
 */
const MAX_ATTEMPTS = 2;

let shop: OrderShop;

beforeAll(async () => {
  shop = await startOrderShop({ env: { EVENT_MAX_ATTEMPTS: String(MAX_ATTEMPTS), EVENT_RETRY_BASE_MS: '5' } });
});
afterAll(() => shop?.stop());
// An outage a failed test left behind must not fail the next one.
afterEach(() => {
  shop.fakes.payment.outages = 0;
  shop.fakes.warehouse.releaseOutages = 0;
});

const checkout = checkoutOn(() => shop);

describe('order-processing: recovering from outages and restarts', () => {
  it('delays, never dead-letters, an order whose payment module stays unavailable beyond EVENT_MAX_ATTEMPTS, and charges it once it is back', async () => {
    shop.fakes.payment.outages = MAX_ATTEMPTS * 3;
    const o = await checkout();
    const end = await eventually(
      async () => ({ status: (await o.order()).status, deadLetters: await shop.runtime.deadLetters() }),
      (s) => s.status === 'paid' || s.deadLetters.length > 0,
      { what: 'the order to be paid or its event dead-lettered' },
    );
    expect(end.deadLetters).toEqual([]);
    expect(end.status).toBe('paid');
    expect(shop.fakes.payment.outages).toBe(0);
    expect(shop.fakes.payment.payments.get(o.orderId)).toMatchObject({ status: 'captured', calls: 1 });
  });

  it('finishes at the next start a customer cancel whose compensations were cut short: stock released, money refunded, order cancelled', async () => {
    const o = await checkout();
    await o.reaches('paid', (order) => !!order.shipment);
    // The warehouse is down when the cancel comes to release the stock: shipment and payment are undone, the stock is not.
    shop.fakes.warehouse.releaseOutages = 1;
    expect((await o.cancel()).status).toBe(503);
    expect(shop.fakes.logistics.shipments.get(o.orderId)?.status).toBe('cancelled');
    expect(shop.fakes.payment.payments.get(o.orderId)?.status).toBe('refunded');
    expect(o.stock()).toEqual({ onHand: 10, reserved: 2 });
    expect((await o.order()).status).toBe('paid');

    // No event stands behind a cancel: only the start-up resume can finish it.
    shop = await shop.restart();
    const cancelled = await o.reaches('cancelled');
    expect(cancelled).toMatchObject({ cancelReason: 'customer_request', payment: { status: 'refunded' }, shipment: { status: 'cancelled' } });
    expect(cancelled.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'stock_reserved', 'paid', 'cancelled']);
    expect(shop.fakes.warehouse.reservations.get(o.orderId)?.state).toBe('released');
    expect(o.stock()).toEqual({ onHand: 10, reserved: 0 });
    expect(shop.fakes.payment.payments.get(o.orderId)).toMatchObject({ status: 'refunded', calls: 1 });
    expect(await shop.runtime.deadLetters()).toEqual([]);
  });
});
