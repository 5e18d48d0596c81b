import type { Dispatcher } from '../../src/kernel/events/dispatcher.ts';
import type { Inbox } from '../../src/kernel/events/inbox.ts';
import { eventually } from '../support/eventually.ts';

/**
 * Waits until an inbox's first claim has finished: `start()` queues it for the next event-loop
 * turn, and it is a transaction (round trips on PostgreSQL). Until then rows left from before
 * may be waiting, so every new event is queued for a claim; from then on a new event goes
 * straight to a free handler, which is what the ordering tests need to set up their cases.
 * White-box: the dispatcher says so through the slots it offers to newly stored rows.
 */
export function firstClaim(inbox: Inbox): Promise<boolean> {
  const dispatcher = (inbox as unknown as { dispatcher: Dispatcher }).dispatcher;
  return eventually(() => dispatcher.freeSlots() > 0, Boolean, { what: "the inbox's first claim", intervalMs: 1 });
}
