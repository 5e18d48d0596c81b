import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import { ORDER_STATUSES, type OrderStatus, type orderProcessingContract } from '../../order-processing/contract.ts';
import type { OrderTakingStore } from './order-taking-store.ts';

type StatusChanged = PayloadOf<typeof orderProcessingContract.events.status_changed>;

const STEP = Object.fromEntries(ORDER_STATUSES.map((status, step) => [status, step])) as Record<OrderStatus, number>;

/** Cancelled is final, but only reachable before the parcel left. */
function movesForward(from: OrderStatus, to: OrderStatus): boolean {
  if (from === 'cancelled' || from === 'delivered') return false;
  if (to === 'cancelled') return from !== 'shipped';
  return STEP[to] > STEP[from];
}

/** Shows the customer where their order stands, as order-processing moves it along. */
export class TrackOrderProgress implements EventHandler<StatusChanged> {
  constructor(private readonly store: OrderTakingStore) {}

  async handle({ payload: p }: EventEnvelope<StatusChanged>, ctx: HandlerContext): Promise<void> {
    await ctx.commit(async (tx) => {
      const order = await this.store.findOrder(p.orderId, tx);
      if (!order) return;
      if (!movesForward(order.status, p.status)) {
        // A report that arrives after a later one (a redelivery after a broker failover can overtake)
        // must not move the order back; a step it passed through before still joins its history.
        if (p.status !== 'cancelled' && p.at < order.updatedAt) await this.store.appendHistory(tx, p.orderId, p.status, p.at);
        return;
      }
      await this.store.updateProgress(tx, p.orderId, {
        status: p.status,
        cancelReason: p.reason ?? null,
        paymentStatus: p.payment?.status ?? order.paymentStatus,
        trackingNumber: p.shipment?.trackingNumber ?? order.trackingNumber,
        shipmentStatus: p.shipment?.status ?? order.shipmentStatus,
        updatedAt: p.at,
      });
      await this.store.appendHistory(tx, p.orderId, p.status, p.at);
    });
  }
}
