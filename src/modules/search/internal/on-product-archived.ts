import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { SearchStore } from './search-store.ts';

type ProductArchived = PayloadOf<typeof catalogContract.events.product_archived>;

/** An archived product is found no more. */
export class DropArchivedProduct implements EventHandler<ProductArchived> {
  constructor(private readonly store: SearchStore) {}

  handle(event: EventEnvelope<ProductArchived>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.archive(event.payload.productId));
  }
}
