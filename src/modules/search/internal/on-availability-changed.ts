import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { warehouseContract } from '../../warehouse/contract.ts';
import type { SearchStore } from './search-store.ts';

type AvailabilityChanged = PayloadOf<typeof warehouseContract.events.availability_changed>;

/** The in-stock filter and flag follow the warehouse's available units. */
export class TrackStockForSearch implements EventHandler<AvailabilityChanged> {
  constructor(private readonly store: SearchStore) {}

  handle(event: EventEnvelope<AvailabilityChanged>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.saveStock(event.payload.productId, event.payload.available, event.occurredAt));
  }
}
