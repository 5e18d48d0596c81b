import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { orderProcessingContract } from '../../order-processing/contract.ts';
import type { NoticeWriter } from './notice-writer.ts';
import type { NoticeFacts } from './templates.ts';

type StatusChanged = PayloadOf<typeof orderProcessingContract.events.status_changed>;

/** Tells the customer when their order is placed, paid, shipped, delivered or cancelled. */
export class NotifyOrderProgress implements EventHandler<StatusChanged> {
  constructor(private readonly notices: NoticeWriter) {}

  async handle(event: EventEnvelope<StatusChanged>, ctx: HandlerContext): Promise<void> {
    const facts = factsOf(event.payload);
    if (facts) await this.notices.deliver(event, ctx, [{ userId: event.payload.userId, facts }]);
  }
}

function factsOf({ orderId, status, reason }: StatusChanged): NoticeFacts | null {
  switch (status) {
    case 'placed': return { kind: 'order_placed', orderId };
    case 'paid': return { kind: 'order_paid', orderId };
    case 'shipped': return { kind: 'order_shipped', orderId };
    case 'delivered': return { kind: 'order_delivered', orderId };
    case 'cancelled': return { kind: 'order_cancelled', orderId, reason };
    // Reserving stock is a step inside the shop; the customer hears next when the payment goes through.
    case 'stock_reserved': return null;
  }
}
