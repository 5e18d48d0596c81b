import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { wishlistContract } from '../../wishlist/contract.ts';
import type { RecommendationStore } from './recommendation-store.ts';

type ItemAdded = PayloadOf<typeof wishlistContract.events.item_added>;

/** Notes a wish: its category points to what else the customer may like. */
export class RememberWish implements EventHandler<ItemAdded> {
  constructor(private readonly store: RecommendationStore) {}

  handle(event: EventEnvelope<ItemAdded>, ctx: HandlerContext): void {
    const { userId, productId } = event.payload;
    ctx.commit(() => this.store.addWish(userId, productId));
  }
}
