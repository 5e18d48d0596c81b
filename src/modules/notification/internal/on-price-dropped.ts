import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { wishlistContract } from '../../wishlist/contract.ts';
import type { NoticeWriter } from './notice-writer.ts';

type PriceDropped = PayloadOf<typeof wishlistContract.events.price_dropped>;

/** Tells a wisher that a product on their wishlist got cheaper. */
export class NotifyPriceDrop implements EventHandler<PriceDropped> {
  constructor(private readonly notices: NoticeWriter) {}

  async handle(event: EventEnvelope<PriceDropped>, ctx: HandlerContext): Promise<void> {
    const { userId, name, oldPrice, newPrice } = event.payload;
    await this.notices.deliver(event, ctx, [{ userId, facts: { kind: 'price_drop', productName: name, oldPrice, newPrice } }]);
  }
}
