import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler } from '../../../kernel/events/handlers.ts';
import type { orderTakingContract } from '../../order-taking/contract.ts';
import type { OrderSaga } from './order-saga.ts';
import type { OrderTransitions } from './order-transitions.ts';

type Placed = PayloadOf<typeof orderTakingContract.events.placed>;

/**
 * Runs a newly placed order through stock, payment and shipment. The saga records each step in
 * its own transaction (the event is marked handled only once the run ends), so a failure or a
 * crash makes the kernel deliver the event again and the saga carries on from its last step.
 */
export class RunPlacedOrder implements EventHandler<Placed> {
  constructor(
    private readonly transitions: OrderTransitions,
    private readonly saga: OrderSaga,
  ) {}

  async handle({ payload }: EventEnvelope<Placed>): Promise<void> {
    await this.transitions.receive(payload);
    await this.saga.advance(payload.orderId);
  }
}
