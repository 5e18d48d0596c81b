import type { PayloadOf } from '../../../kernel/contract.ts';
import type { ModuleCounter, ModuleMetrics } from '../../../kernel/metrics.ts';
import type { Tx } from '../../../kernel/persistence/sql.ts';
import { orderProcessingContract, type OrderStatus } from '../contract.ts';
import type { OrderProcessingStore, SagaChanges, SagaRow } from './order-processing-store.ts';
import type { PlacedOrder } from './schema.ts';

type StatusChanged = PayloadOf<typeof orderProcessingContract.events.status_changed>;

/** Every change of an order's status is saved and announced in one transaction, and counted once committed. */
export class OrderTransitions {
  private readonly reached: ModuleCounter;

  constructor(
    private readonly store: OrderProcessingStore,
    metrics: ModuleMetrics,
  ) {
    this.reached = metrics.counter('shop_orders_total', 'Orders that reached each status (cancelled: by reason), counted where the saga runs', ['status', 'reason']);
  }

  /** Takes in a placed order (once) and announces it to the customer's side, in the caller's transaction. */
  async receive(tx: Tx, order: PlacedOrder): Promise<void> {
    if ((await this.store.find(order.orderId, tx))?.order) return;
    await this.store.start(tx, order, new Date().toISOString());
    await this.publish(tx, { orderId: order.orderId, userId: order.userId, status: 'placed', at: order.placedAt });
    tx.afterCommit(() => this.reached.inc({ status: 'placed', reason: '' }));
  }

  /**
   * Applies `changes` if the order is still in one of `from` and announces a new status. Returns
   * the updated saga, or undefined when the order had moved on (someone else got there first).
   * Runs in its own transaction, or in the caller's when given one.
   */
  move(orderId: string, from: OrderStatus[], changes: SagaChanges, tx?: Tx): Promise<SagaRow | undefined> {
    const apply = async (tx: Tx) => {
      const row = await this.store.move(tx, orderId, from, { ...changes, updatedAt: new Date().toISOString() });
      if (row?.order && changes.status && !from.includes(changes.status)) {
        await this.publish(tx, report(row));
        tx.afterCommit(() => this.reached.inc({ status: row.status, reason: row.cancelReason ?? '' }));
      }
      return row;
    };
    return tx ? apply(tx) : this.store.transaction(apply);
  }

  private async publish(tx: Tx, payload: StatusChanged): Promise<void> {
    await tx.publish(orderProcessingContract.events.status_changed, payload, { key: payload.orderId });
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
