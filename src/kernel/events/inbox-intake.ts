import type { EventEnvelope } from '../contract.ts';
import type { ModuleDb, Tx } from '../persistence/sql.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { HandlerRunner, InboxHandler } from './handler-run.ts';
import type { InboxRow, InboxTable } from './inbox-table.ts';

/** A row stored already claimed, with what became of it inside the storing transaction. */
type Stored =
  | { row: InboxRow; h: InboxHandler; outcome: 'failed'; err: unknown }
  /** What is left of its handler once the rows are committed (its outcome recorded when it ends). */
  | { row: InboxRow; h: InboxHandler; outcome: 'running'; running: Promise<void> }
  /** Run after the event of its key in hand. */
  | { row: InboxRow; h: InboxHandler; outcome: 'queued' };

/**
 * The durable side of a module's inbox: `receive` stores one row per (event, handler), and
 * duplicates are ignored, which makes redelivery harmless. The usual path skips the dispatcher's
 * claim: with a slot free and nothing older queued (an event without a key need not wait), a row
 * is stored already claimed and its handler starts right there (HandlerRunner.runInline): a
 * handler that only writes commits its effect, its "done" mark and the row itself in one
 * transaction; one that awaits anything else carries on once the rows are committed, as if the
 * dispatcher had claimed it.
 */
export class InboxIntake {
  constructor(
    private readonly db: ModuleDb,
    private readonly table: InboxTable,
    private readonly byType: Map<string, InboxHandler[]>,
    private readonly runner: HandlerRunner,
    private readonly dispatcher: Dispatcher,
    private readonly leaseMs: number,
  ) {}

  /** Stores events durably for every handler that wants them: when it resolves they are safe. */
  async receive(events: EventEnvelope[]): Promise<void> {
    let unclaimedStored = false;
    const stored = await this.db.transaction(async (tx) => {
      const result = await this.store(tx, events);
      unclaimedStored = result.unclaimedStored;
      return result.stored;
    });
    for (const s of stored) {
      if (s.outcome === 'failed') this.dispatcher.track(s.row.key, this.runner.recordFailure(s.row, s.h, s.err));
      else if (s.outcome === 'queued') this.dispatcher.schedule(s.row);
      else this.dispatcher.track(s.row.key, s.running);
    }
    if (unclaimedStored) this.dispatcher.wake();
  }

  /**
   * Stores one row per (event, handler). While the dispatcher has free slots and nothing older is
   * queued (for a row without a key: whatever is queued), a row is stored already claimed; rows
   * whose key is already in hand wait their turn.
   * A slot is taken only by what is left once the rows commit (a handler still running, a failure
   * to record, a row waiting for its key), as the dispatcher counts them.
   */
  private async store(tx: Tx, events: EventEnvelope[]): Promise<{ stored: Stored[]; unclaimedStored: boolean }> {
    const receivedAt = new Date().toISOString();
    const lease = Date.now() + this.leaseMs;
    let free = this.dispatcher.openSlots();
    const olderWaiting = this.dispatcher.olderRowsWaiting();
    const stored: Stored[] = [];
    const keysInHand = new Set<string>();
    let unclaimedStored = false;
    for (const event of events) {
      const key = event.key ?? null;
      const envelope = JSON.stringify(event);
      for (const h of this.byType.get(event.type) ?? []) {
        // Payloads are checked against the publisher's schema on receipt too: a bad one is dead on arrival.
        const check = h.event.payload.safeParse(event.payload);
        // Rows with a key queue behind older rows waiting to be claimed; rows without one need not.
        if (check.success && free > 0 && !(key !== null && olderWaiting)) {
          const seq = await this.table.insertClaimed(tx, { eventId: event.id, handler: h.name, type: event.type, key, envelope, receivedAt }, lease);
          // Undefined: a redelivery of a row stored before, which is queued (or done) already.
          if (seq === undefined) continue;
          const row: InboxRow = { seq, event_id: event.id, handler: h.name, key, envelope, attempts: 1, checked: { ...event, payload: check.data } };
          const inHand = key !== null && (keysInHand.has(key) || this.dispatcher.hasKeyInHand(key));
          if (inHand) {
            stored.push({ row, h, outcome: 'queued' });
            free--;
            continue;
          }
          const started = await this.runner.runInline(tx, row, h, row.checked!);
          // Ended inside this transaction: nothing is left to track once it commits, and it takes no
          // slot. (Counted as taking one, a batch larger than the slots would store the rest for the
          // dispatcher to claim and run, a transaction each, and hold back the batches after it.)
          if (started.outcome === 'ended') continue;
          free--;
          if (started.outcome === 'running') {
            stored.push({ row, h, outcome: 'running', running: started.running });
            // Later events of its key wait for what is left of it, if anything is.
            if (key !== null && !started.settled) keysInHand.add(key);
          } else {
            stored.push({ row, h, outcome: 'failed', err: started.err });
          }
          continue;
        }
        const deadBecause = check.success ? null : `payload does not match ${event.type} v${h.event.version}: ${check.error.message}`;
        await this.table.insert(tx, { eventId: event.id, handler: h.name, type: event.type, key, envelope, receivedAt }, deadBecause);
        if (check.success) {
          unclaimedStored = true;
          this.dispatcher.queuedForClaim();
        }
      }
    }
    return { stored, unclaimedStored };
  }
}
