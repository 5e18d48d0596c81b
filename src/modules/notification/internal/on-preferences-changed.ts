import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { userContract } from '../../user/contract.ts';
import type { NotificationStore } from './notification-store.ts';

type PreferencesChanged = PayloadOf<typeof userContract.events.preferences_changed>;

/** Follows a user's choice to get notices by email or not. */
export class FollowEmailPreference implements EventHandler<PreferencesChanged> {
  constructor(private readonly store: NotificationStore) {}

  handle(event: EventEnvelope<PreferencesChanged>, ctx: HandlerContext): void {
    const { userId, emailNotifications } = event.payload;
    ctx.commit(() => this.store.setEmailPreference(userId, emailNotifications));
  }
}
