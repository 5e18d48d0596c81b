import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { wishlistContract } from '../../wishlist/contract.ts';
import type { RecommendationStore } from './recommendation-store.ts';

type ItemRemoved = PayloadOf<typeof wishlistContract.events.item_removed>;

/** Forgets a wish the customer took back. */
export class ForgetWish implements EventHandler<ItemRemoved> {
  constructor(private readonly store: RecommendationStore) {}

  handle(event: EventEnvelope<ItemRemoved>, ctx: HandlerContext): void {
    const { userId, productId } = event.payload;
    ctx.commit(() => this.store.removeWish(userId, productId));
  }
}
