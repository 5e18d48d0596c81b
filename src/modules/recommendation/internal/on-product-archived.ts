import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { RecommendationStore } from './recommendation-store.ts';

type ProductArchived = PayloadOf<typeof catalogContract.events.product_archived>;

/** Stops recommending an archived product; its purchase history stays for its neighbours. */
export class RetireArchivedProduct implements EventHandler<ProductArchived> {
  constructor(private readonly store: RecommendationStore) {}

  handle(event: EventEnvelope<ProductArchived>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.archiveProduct(event.payload.productId));
  }
}
