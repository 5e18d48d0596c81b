import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import { wishlistContract } from '../contract.ts';
import type { WisherNotices } from './wisher-notices.ts';

type PriceChanged = PayloadOf<typeof catalogContract.events.price_changed>;

/** A cheaper wished product: each wisher hears of it once. A rise says nothing. */
export class TellWishersOfPriceDrop implements EventHandler<PriceChanged> {
  constructor(private readonly notices: WisherNotices) {}

  async handle(event: EventEnvelope<PriceChanged>, ctx: HandlerContext): Promise<void> {
    const { productId, oldPrice, newPrice } = event.payload;
    if (newPrice >= oldPrice) return;
    await this.notices.send(productId, ctx, (tx, userId, product) =>
      tx.publish(wishlistContract.events.price_dropped, { userId, productId, name: product.name, oldPrice, newPrice }, { key: userId }),
    );
  }
}
