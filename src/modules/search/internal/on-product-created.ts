import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { SearchStore } from './search-store.ts';

type ProductCreated = PayloadOf<typeof catalogContract.events.product_created>;

/** A new product becomes findable. */
export class IndexNewProduct implements EventHandler<ProductCreated> {
  constructor(private readonly store: SearchStore) {}

  handle(event: EventEnvelope<ProductCreated>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.saveProduct(event.payload.product));
  }
}
