import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { orderTakingContract } from '../../order-taking/contract.ts';
import type { OrderSaga } from './order-saga.ts';
import type { OrderTransitions } from './order-transitions.ts';

type Placed = PayloadOf<typeof orderTakingContract.events.placed>;

/**
 * Runs a newly placed order through stock, payment and shipment. The order is taken in with the
 * event itself (`ctx.write`: one commit for both), and the saga records each step in its own
 * transaction; the event is marked handled only once the run ends, so a failure or a crash makes
 * the kernel deliver the event again and the saga carries on from its last step.
 */
export class RunPlacedOrder implements EventHandler<Placed> {
  constructor(
    private readonly transitions: OrderTransitions,
    private readonly saga: OrderSaga,
  ) {}

  async handle({ payload }: EventEnvelope<Placed>, ctx: HandlerContext): Promise<void> {
    await ctx.write((tx) => this.transitions.receive(tx, payload));
    await this.saga.advance(payload.orderId);
  }
}
