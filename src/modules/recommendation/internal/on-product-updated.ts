import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { RecommendationStore } from './recommendation-store.ts';

type ProductUpdated = PayloadOf<typeof catalogContract.events.product_updated>;

/** Follows a product moving to another category (or being archived through an update). */
export class FollowProductChange implements EventHandler<ProductUpdated> {
  constructor(private readonly store: RecommendationStore) {}

  handle(event: EventEnvelope<ProductUpdated>, ctx: HandlerContext): void {
    const { id, categoryId, active, createdAt } = event.payload.product;
    ctx.commit(() => this.store.saveProduct(id, categoryId, active, createdAt));
  }
}
