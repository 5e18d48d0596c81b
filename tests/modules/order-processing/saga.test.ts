import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/tokens.ts';
import { logisticsContract } from '../../../src/modules/logistics/contract.ts';
import { OrderLocks } from '../../../src/modules/order-processing/internal/order-locks.ts';
import { OrderProcessingService } from '../../../src/modules/order-processing/internal/order-processing-service.ts';
import { OrderProcessingStore } from '../../../src/modules/order-processing/internal/order-processing-store.ts';
import { OrderSaga } from '../../../src/modules/order-processing/internal/order-saga.ts';
import { OrderTransitions } from '../../../src/modules/order-processing/internal/order-transitions.ts';
import { paymentContract } from '../../../src/modules/payment/contract.ts';
import { warehouseContract } from '../../../src/modules/warehouse/contract.ts';
import { eventually } from '../../support/eventually.ts';
import { checkoutOn } from '../../support/order-checkout.ts';
import { Gate } from '../../support/order-neighbours.ts';
import { startOrderShop, type OrderShop } from '../../support/order-shop.ts';
import { published } from '../../support/published.ts';
import { expectNothingChangedBy } from '../../support/unchanged.ts';

let shop: OrderShop;

beforeAll(async () => {
  shop = await startOrderShop();
});
afterAll(() => shop?.stop());

const checkout = checkoutOn(() => shop);

/**
 * A second order-processing replica on the same database: its own saga with its own per-process
 * order locks, so its work on an order is not queued behind this replica's (as across processes).
 */
function otherReplica(): OrderProcessingService {
  const c = shop.runtime.containerOf('order-processing');
  const [store, transitions] = [c.get(OrderProcessingStore), c.get(OrderTransitions)];
  const neighbours = { warehouse: shop.runtime.use(warehouseContract), payment: shop.runtime.use(paymentContract), logistics: shop.runtime.use(logisticsContract) };
  return new OrderProcessingService(store, transitions, new OrderSaga(store, transitions, new OrderLocks(), neighbours, c.get(Kernel.Logger)));
}

describe('order-processing: the order saga', () => {
  it('reserves stock, charges the total once and books the shipment of a placed order', async () => {
    const o = await checkout();
    const paid = await o.reaches('paid', (order) => !!order.shipment);
    expect(paid.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'stock_reserved', 'paid']);
    expect(paid.payment).toEqual({ status: 'captured' });
    expect(paid.shipment).toEqual({ trackingNumber: `TRK-${o.orderId.slice(0, 8)}`, status: 'created' });
    expect(shop.fakes.payment.payments.get(o.orderId)).toMatchObject({ amount: 2500, status: 'captured', calls: 1 });
    expect(o.stock()).toEqual({ onHand: 10, reserved: 2 });
  });

  it('cancels an order there is not enough stock for, without charging it', async () => {
    const o = await checkout({ quantity: 3, onHand: 2 });
    const cancelled = await o.reaches('cancelled');
    expect(cancelled.cancelReason).toBe('out_of_stock');
    expect(shop.fakes.payment.payments.has(o.orderId)).toBe(false);
    expect(o.stock()).toEqual({ onHand: 2, reserved: 0 });
  });

  it('cancels an order whose card is declined and releases its stock', async () => {
    const o = await checkout({ paymentToken: 'tok_chargeDeclined' });
    const cancelled = await o.reaches('cancelled');
    expect(cancelled).toMatchObject({ cancelReason: 'payment_declined', payment: { status: 'declined' } });
    expect(cancelled.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'stock_reserved', 'cancelled']);
    expect(o.stock().reserved).toBe(0);
  });

  it('retries a payment the gateway could not take and charges it once', async () => {
    shop.fakes.payment.outages = 2;
    const o = await checkout();
    await o.reaches('paid');
    expect(shop.fakes.payment.outages).toBe(0);
    expect(shop.fakes.payment.payments.get(o.orderId)?.calls).toBe(1);
  });

  it('cancels a paid order at the customer’s request: refund, stock back, shipment cancelled; again is still 202', async () => {
    const o = await checkout();
    await o.reaches('paid', (order) => !!order.shipment);
    const res = await o.cancel();
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'cancelled' });
    const cancelled = await o.reaches('cancelled');
    expect(cancelled).toMatchObject({ cancelReason: 'customer_request', payment: { status: 'refunded' }, shipment: { status: 'cancelled' } });
    expect(shop.fakes.payment.payments.get(o.orderId)?.status).toBe('refunded');
    expect(shop.fakes.logistics.shipments.get(o.orderId)?.status).toBe('cancelled');
    expect(o.stock()).toEqual({ onHand: 10, reserved: 0 });
    const again = await o.cancel();
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ status: 'cancelled' });
  });

  it('leaves no captured money behind a cancel that arrives while the card is being charged', async () => {
    const gate = (shop.fakes.payment.gate = new Gate());
    const o = await checkout();
    await gate.reached;
    shop.fakes.payment.gate = null;
    const cancelling = o.cancel().then((r) => r);
    await o.cancelRecorded();
    gate.release();
    expect((await cancelling).status).toBe(202);
    const cancelled = await o.reaches('cancelled');
    expect(cancelled.cancelReason).toBe('customer_request');
    await shop.settled();
    expect(shop.fakes.payment.payments.get(o.orderId)?.status).toBe('refunded');
    expect(o.stock().reserved).toBe(0);
    expect(shop.fakes.logistics.shipments.has(o.orderId)).toBe(false);
  });

  it('leaves no reserved stock behind a cancel that arrives while stock is being reserved', async () => {
    const gate = (shop.fakes.warehouse.gate = new Gate());
    const o = await checkout();
    await gate.reached;
    shop.fakes.warehouse.gate = null;
    const cancelling = o.cancel().then((r) => r);
    await o.cancelRecorded();
    gate.release();
    expect((await cancelling).status).toBe(202);
    await o.reaches('cancelled');
    await shop.settled();
    expect(o.stock()).toEqual({ onHand: 10, reserved: 0 });
    expect(shop.fakes.payment.payments.has(o.orderId)).toBe(false);
  });

  it('takes no money for a charge that lands after another replica cancelled the order, even when its answer is lost', async () => {
    const gate = (shop.fakes.payment.gate = new Gate());
    const o = await checkout();
    await gate.reached;
    shop.fakes.payment.gate = null;
    // The other replica cancels while this one's charge is on its way: its refund finds nothing yet.
    expect(await otherReplica().cancel({ orderId: o.orderId, reason: 'customer_request' })).toEqual({ status: 'cancelled' });
    shop.fakes.payment.lostAnswers = 1;
    gate.release();
    await shop.settled();
    expect(shop.fakes.payment.payments.has(o.orderId)).toBe(false);
    expect(o.stock()).toEqual({ onHand: 10, reserved: 0 });
    const cancelled = await o.reaches('cancelled');
    expect(cancelled.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'stock_reserved', 'cancelled']);
  });

  it('cancels an order whose charge a dead payment process left half-way: finishes the charge, then refunds it', async () => {
    const gate = (shop.fakes.payment.gate = new Gate());
    const o = await checkout();
    await gate.reached;
    shop.fakes.payment.gate = null;
    // The payment process took the charge and died before answering: the charge stays in flight
    // (this replica's call waits on a process that will never answer), and refunds are refused.
    shop.fakes.payment.payments.set(o.orderId, { amount: 0, status: 'authorized', calls: 0 });
    // Another replica takes the customer's cancel meanwhile.
    expect(await otherReplica().cancel({ orderId: o.orderId, reason: 'customer_request' })).toEqual({ status: 'cancelled' });
    expect(shop.fakes.payment.payments.get(o.orderId)).toMatchObject({ status: 'refunded', calls: 1 });
    gate.release();
    await shop.settled();
    const cancelled = await o.reaches('cancelled');
    expect(cancelled.payment).toEqual({ status: 'refunded' });
    expect(o.stock()).toEqual({ onHand: 10, reserved: 0 });
    expect(shop.fakes.payment.payments.get(o.orderId)?.status).toBe('refunded');
  });

  it('holds no stock for a reservation that lands after another replica cancelled the order', async () => {
    const gate = (shop.fakes.warehouse.gate = new Gate());
    const o = await checkout();
    await gate.reached;
    shop.fakes.warehouse.gate = null;
    expect(await otherReplica().cancel({ orderId: o.orderId, reason: 'customer_request' })).toEqual({ status: 'cancelled' });
    gate.release();
    await shop.settled();
    expect(shop.fakes.warehouse.reservations.get(o.orderId)?.state).toBe('cancelled');
    expect(o.stock()).toEqual({ onHand: 10, reserved: 0 });
    expect((await o.reaches('cancelled')).history.map((h: { status: string }) => h.status)).toEqual(['placed', 'cancelled']);
  });

  it('ships on the carrier’s in-transit report (taking the stock off the shelf), refuses to cancel then without touching the order, and delivers', async () => {
    const o = await checkout();
    await o.reaches('paid', (order) => !!order.shipment);
    await shop.fakes.logistics.report(o.orderId, 'in_transit');
    const shipped = await o.reaches('shipped');
    expect(shipped.shipment).toMatchObject({ status: 'in_transit' });
    expect(o.stock()).toEqual({ onHand: 8, reserved: 0 });
    await expectNothingChangedBy(shop, o.footprint(), async () => {
      expect((await o.cancel()).status).toBe(409);
    });
    expect((await published(shop, 'order-processing', { key: o.orderId })).map((e) => e.payload.status)).toEqual(['placed', 'stock_reserved', 'paid', 'shipped']);
    await shop.fakes.logistics.report(o.orderId, 'delivered');
    const delivered = await o.reaches('delivered');
    expect(delivered.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'stock_reserved', 'paid', 'shipped', 'delivered']);
    const times = delivered.history.map((h: { at: string }) => Date.parse(h.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('refuses to cancel once the carrier has the parcel, even before its report arrived, and keeps the order, its money, stock and events', async () => {
    const o = await checkout();
    await o.reaches('paid', (order) => !!order.shipment);
    await shop.fakes.logistics.report(o.orderId, 'in_transit', false);
    await expectNothingChangedBy(shop, o.footprint(), async () => {
      expect((await o.cancel()).status).toBe(409);
    });
    expect((await o.order()).status).toBe('paid');
    expect(shop.fakes.payment.payments.get(o.orderId)?.status).toBe('captured');
  });

  it('finishes an order after a restart when the gateway was down before it', async () => {
    shop.fakes.payment.outages = 1_000;
    const o = await checkout();
    await o.reaches('stock_reserved');
    shop = await shop.restart();
    shop.fakes.payment.outages = 0;
    await eventually(() => shop.fakes.payment.payments.get(o.orderId)?.status, (s) => s === 'captured', { what: 'the charge after restart' });
    expect(shop.fakes.payment.payments.get(o.orderId)?.calls).toBe(1);
  });
});
