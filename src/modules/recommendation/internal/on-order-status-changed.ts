import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { orderProcessingContract } from '../../order-processing/contract.ts';
import type { PurchaseCounter } from './purchase-counter.ts';
import type { RecommendationStore } from './recommendation-store.ts';

type StatusChanged = PayloadOf<typeof orderProcessingContract.events.status_changed>;

/** Counts an order once it is paid: only real purchases teach "bought together". */
export class CountPaidOrder implements EventHandler<StatusChanged> {
  constructor(
    private readonly store: RecommendationStore,
    private readonly counter: PurchaseCounter,
  ) {}

  async handle(event: EventEnvelope<StatusChanged>, ctx: HandlerContext): Promise<void> {
    const { orderId, userId, status } = event.payload;
    if (status !== 'paid') return;
    await ctx.commit(async (tx) => {
      await this.store.markPaid(tx, orderId, userId);
      await this.counter.countWhenComplete(tx, orderId);
    });
  }
}
