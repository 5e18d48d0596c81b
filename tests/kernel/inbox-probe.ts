import type { Dispatcher } from '../../src/kernel/events/dispatcher.ts';
import type { Inbox } from '../../src/kernel/events/inbox.ts';
import type { InboxTable } from '../../src/kernel/events/inbox-table.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { eventually } from '../support/eventually.ts';

const dispatcherOf = (inbox: Inbox) => (inbox as unknown as { dispatcher: Dispatcher }).dispatcher;

/**
 * Waits until an inbox's first claim has finished: `start()` queues it for the next event-loop
 * turn, and it is a transaction (round trips on PostgreSQL). Until then rows left from before
 * may be waiting, so every new event is queued for a claim; from then on a new event goes
 * straight to a free handler, which is what the ordering tests need to set up their cases.
 * White-box: the dispatcher says so: no older rows waiting, slots open.
 */
export function firstClaim(inbox: Inbox): Promise<boolean> {
  const dispatcher = dispatcherOf(inbox);
  return eventually(() => !dispatcher.olderRowsWaiting() && dispatcher.openSlots() > 0, Boolean, { what: "the inbox's first claim", intervalMs: 1 });
}

/**
 * Holds the dispatcher's claims until the returned `release` is called: rows queued for a claim
 * stay queued, whatever the event loop or the database's connections do meanwhile. Ordering
 * tests use it to look at a queued row at a moment that timing alone cannot pin down (on
 * PostgreSQL a claim on one pooled connection can finish before a read on another starts).
 * White-box: it wraps the claim of the dispatcher's inbox table.
 */
export function holdClaims(inbox: Inbox): { release: () => void } {
  const table = (dispatcherOf(inbox) as unknown as { table: InboxTable }).table;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const claim = table.claim.bind(table);
  table.claim = async (...args) => {
    await held;
    return claim(...args);
  };
  return { release };
}

/** Counts the transactions `database` opens from now on (white-box: wraps its `transaction`). */
export function countTransactions(database: ModuleDb): () => number {
  let opened = 0;
  const transaction = database.transaction.bind(database);
  database.transaction = ((...args: Parameters<ModuleDb['transaction']>) => {
    opened++;
    return transaction(...args);
  }) as ModuleDb['transaction'];
  return () => opened;
}
