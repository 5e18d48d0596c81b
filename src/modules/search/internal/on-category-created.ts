import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { SearchStore } from './search-store.ts';

type CategoryCreated = PayloadOf<typeof catalogContract.events.category_created>;

/** A new category can be searched by its slug and is named in the facets. */
export class LearnNewCategory implements EventHandler<CategoryCreated> {
  constructor(private readonly store: SearchStore) {}

  handle(event: EventEnvelope<CategoryCreated>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.saveCategory(event.payload.category));
  }
}
