import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { userContract } from '../../user/contract.ts';
import type { NotificationStore } from './notification-store.ts';

type Registered = PayloadOf<typeof userContract.events.registered>;

/** Learns a new account's email address; email notifications start on, as the user module has them. */
export class RememberRecipient implements EventHandler<Registered> {
  constructor(private readonly store: NotificationStore) {}

  handle(event: EventEnvelope<Registered>, ctx: HandlerContext): void {
    const { userId, email } = event.payload;
    ctx.commit(() => this.store.rememberRecipient({ userId, email, emailNotifications: true }));
  }
}
