import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { SearchStore } from './search-store.ts';

type PriceChanged = PayloadOf<typeof catalogContract.events.price_changed>;

/** Price filters and price sorts follow a new price. */
export class RepriceIndexedProduct implements EventHandler<PriceChanged> {
  constructor(private readonly store: SearchStore) {}

  handle(event: EventEnvelope<PriceChanged>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.reprice(event.payload.productId, event.payload.newPrice, event.occurredAt));
  }
}
