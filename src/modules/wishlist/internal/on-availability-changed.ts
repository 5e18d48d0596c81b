import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { warehouseContract } from '../../warehouse/contract.ts';
import { wishlistContract } from '../contract.ts';
import type { WisherNotices } from './wisher-notices.ts';

type AvailabilityChanged = PayloadOf<typeof warehouseContract.events.availability_changed>;

/** A wished product that was sold out can be bought again: each wisher hears of it once. */
export class TellWishersOfRestock implements EventHandler<AvailabilityChanged> {
  constructor(private readonly notices: WisherNotices) {}

  async handle(event: EventEnvelope<AvailabilityChanged>, ctx: HandlerContext): Promise<void> {
    const { productId, available, previousAvailable } = event.payload;
    if (previousAvailable > 0 || available <= 0) return;
    await this.notices.send(productId, ctx, (tx, userId, product) =>
      tx.publish(wishlistContract.events.back_in_stock, { userId, productId, name: product.name }, { key: userId }),
    );
  }
}
