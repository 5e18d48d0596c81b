import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { RecommendationStore } from './recommendation-store.ts';

type ProductCreated = PayloadOf<typeof catalogContract.events.product_created>;

/** Learns a new product's category, for "same category" suggestions, and its age, to show the newest first among equals. */
export class LearnNewProduct implements EventHandler<ProductCreated> {
  constructor(private readonly store: RecommendationStore) {}

  handle(event: EventEnvelope<ProductCreated>, ctx: HandlerContext): void {
    const { id, categoryId, active, createdAt } = event.payload.product;
    ctx.commit(() => this.store.saveProduct(id, categoryId, active, createdAt));
  }
}
