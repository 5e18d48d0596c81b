import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { orderTakingContract } from '../../order-taking/contract.ts';
import type { CartStore } from './cart-store.ts';

type OrderPlaced = PayloadOf<typeof orderTakingContract.events.placed>;

/**
 * Takes what was ordered out of the customer's cart: the ordered units of the ordered products
 * only, so anything put in the cart after checkout (or more units of an ordered product) stays.
 */
export class RemoveOrderedItemsFromCart implements EventHandler<OrderPlaced> {
  constructor(private readonly store: CartStore) {}

  handle(event: EventEnvelope<OrderPlaced>, ctx: HandlerContext): void {
    const { userId, items } = event.payload;
    ctx.commit(() => this.store.takeUnits(userId, items));
  }
}
