import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { orderTakingContract } from '../../order-taking/contract.ts';
import type { PurchaseCounter } from './purchase-counter.ts';
import type { RecommendationStore } from './recommendation-store.ts';

type Placed = PayloadOf<typeof orderTakingContract.events.placed>;

/** Keeps which products an order holds, to count them together once it is paid. */
export class RememberOrderLines implements EventHandler<Placed> {
  constructor(
    private readonly store: RecommendationStore,
    private readonly counter: PurchaseCounter,
  ) {}

  async handle(event: EventEnvelope<Placed>, ctx: HandlerContext): Promise<void> {
    const { orderId, userId, items } = event.payload;
    await ctx.commit(async (tx) => {
      await this.store.saveOrderLines(tx, orderId, userId, [...new Set(items.map((i) => i.productId))]);
      await this.counter.countWhenComplete(tx, orderId);
    });
  }
}
