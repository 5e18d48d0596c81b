import type { Implementation } from '../../../kernel/contract.ts';
import { conflict, notFound } from '../../../kernel/errors.ts';
import type { CancelReason, OrderProcessingContract } from '../contract.ts';
import { IN_FLIGHT, type OrderProcessingStore, type SagaRow } from './order-processing-store.ts';
import type { OrderSaga } from './order-saga.ts';
import type { OrderTransitions } from './order-transitions.ts';

const shipped = (saga: SagaRow) => saga.status === 'shipped' || saga.status === 'delivered';

/** The order-processing module's use cases; each public method is one call of its contract. */
export class OrderProcessingService implements Implementation<OrderProcessingContract> {
  constructor(
    private readonly store: OrderProcessingStore,
    private readonly transitions: OrderTransitions,
    private readonly saga: OrderSaga,
  ) {}

  /**
   * Records the request first (a saga step in flight sees it when its call returns), then runs
   * the compensations unless a step is running them already.
   */
  async cancel({ orderId, reason }: { orderId: string; reason: CancelReason }) {
    const before = await this.requestCancel(orderId, reason);
    if (before && shipped(before)) throw conflict('The order has shipped and can no longer be cancelled');
    if (before?.status === 'cancelled') return { status: 'cancelled' as const };
    await this.saga.advance(orderId);
    const after = (await this.store.find(orderId))!;
    if (shipped(after) || (after.status !== 'cancelled' && !after.cancelRequested)) {
      throw conflict('The parcel has left the warehouse; the order can no longer be cancelled');
    }
    return { status: after.status };
  }

  async getProgress({ orderId }: { orderId: string }) {
    const saga = await this.store.find(orderId);
    if (!saga) throw notFound('Order');
    return { orderId, status: saga.status, ...(saga.cancelReason ? { cancelReason: saga.cancelReason } : {}), updatedAt: saga.updatedAt };
  }

  /** The saga as it was before the request; undefined if the order's placement has not arrived yet. */
  private requestCancel(orderId: string, reason: CancelReason): Promise<SagaRow | undefined> {
    return this.store.transaction(async (tx) => {
      const saga = await this.store.find(orderId, tx);
      if (!saga) await this.store.startCancelled(tx, orderId, reason, new Date().toISOString());
      else if (IN_FLIGHT.includes(saga.status) && !saga.cancelRequested) await this.transitions.move(orderId, IN_FLIGHT, { cancelRequested: reason }, tx);
      return saga;
    });
  }
}
