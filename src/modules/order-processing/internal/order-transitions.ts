import type { PayloadOf } from '../../../kernel/contract.ts';
import type { Outbox } from '../../../kernel/events/outbox.ts';
import { orderProcessingContract, type OrderStatus } from '../contract.ts';
import type { OrderProcessingStore, SagaChanges, SagaRow } from './order-processing-store.ts';
import type { PlacedOrder } from './schema.ts';

type StatusChanged = PayloadOf<typeof orderProcessingContract.events.status_changed>;

/** Every change of an order's status is saved and announced in one transaction. */
export class OrderTransitions {
  constructor(
    private readonly store: OrderProcessingStore,
    private readonly outbox: Outbox,
  ) {}

  /** Takes in a placed order (once) and announces it to the customer's side. */
  receive(order: PlacedOrder): void {
    this.store.transaction(() => {
      if (this.store.find(order.orderId)?.order) return;
      this.store.start(order, new Date().toISOString());
      this.publish({ orderId: order.orderId, userId: order.userId, status: 'placed', at: order.placedAt });
    });
  }

  /**
   * Applies `changes` if the order is still in one of `from` and announces a new status. Returns
   * the updated saga, or undefined when the order had moved on (someone else got there first).
   */
  move(orderId: string, from: OrderStatus[], changes: SagaChanges): SagaRow | undefined {
    return this.store.transaction(() => {
      const row = this.store.move(orderId, from, { ...changes, updatedAt: new Date().toISOString() });
      if (row?.order && changes.status && !from.includes(changes.status)) this.publish(report(row));
      return row;
    });
  }

  private publish(payload: StatusChanged): void {
    this.outbox.publish(orderProcessingContract.events.status_changed, payload, { key: payload.orderId });
  }
}

function report(row: SagaRow): StatusChanged {
  return {
    orderId: row.orderId,
    userId: row.order!.userId,
    status: row.status,
    ...(row.cancelReason ? { reason: row.cancelReason } : {}),
    at: row.updatedAt,
    ...(row.payment ? { payment: { status: row.payment } } : {}),
    ...(row.trackingNumber ? { shipment: { trackingNumber: row.trackingNumber, status: row.shipmentStatus ?? 'created' } } : {}),
  };
}
