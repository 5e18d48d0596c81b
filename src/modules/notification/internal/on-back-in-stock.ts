import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { wishlistContract } from '../../wishlist/contract.ts';
import type { NoticeWriter } from './notice-writer.ts';

type BackInStock = PayloadOf<typeof wishlistContract.events.back_in_stock>;

/** Tells a wisher that a sold-out product on their wishlist can be bought again. */
export class NotifyBackInStock implements EventHandler<BackInStock> {
  constructor(private readonly notices: NoticeWriter) {}

  async handle(event: EventEnvelope<BackInStock>, ctx: HandlerContext): Promise<void> {
    const { userId, name } = event.payload;
    await this.notices.deliver(event, ctx, [{ userId, facts: { kind: 'back_in_stock', productName: name } }]);
  }
}
