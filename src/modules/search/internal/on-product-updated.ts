import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { SearchStore } from './search-store.ts';

type ProductUpdated = PayloadOf<typeof catalogContract.events.product_updated>;

/** A changed product is found by its new words, in its new category, at its new price. */
export class ReindexChangedProduct implements EventHandler<ProductUpdated> {
  constructor(private readonly store: SearchStore) {}

  handle(event: EventEnvelope<ProductUpdated>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.saveProduct(event.payload.product));
  }
}
