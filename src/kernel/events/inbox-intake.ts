import type { EventEnvelope } from '../contract.ts';
import type { Sqlite } from '../persistence/database.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { HandlerRunner, InboxHandler } from './handler-run.ts';
import type { InboxRow, InboxTable } from './inbox-table.ts';

/** A row stored already claimed: `running` when its handler started and went async, else still to schedule. */
interface Started {
  row: InboxRow;
  running?: Promise<void>;
}

/**
 * The durable side of a module's inbox: `receive` stores one row per (event, handler), and
 * duplicates are ignored, which makes redelivery harmless. The usual path skips the dispatcher's
 * claim: with a slot free and nothing older queued, a row is stored already claimed and its
 * handler runs at once (see `store`).
 */
export class InboxIntake {
  /** Built once: better-sqlite3 makes a new wrapper (four functions) per transaction() call. */
  private readonly storeAll: (events: EventEnvelope[]) => Started[];
  /** Runs a handler's synchronous part as a savepoint inside the store transaction. */
  private readonly savepoint: (run: () => void) => void;
  /** Whether the last `store` left rows for the dispatcher to claim. */
  private unclaimedStored = false;

  constructor(
    sqlite: Sqlite,
    private readonly table: InboxTable,
    private readonly byType: Map<string, InboxHandler[]>,
    private readonly runner: HandlerRunner,
    private readonly dispatcher: Dispatcher,
    private readonly leaseMs: number,
  ) {
    this.storeAll = sqlite.transaction((events: EventEnvelope[]) => this.store(events));
    this.savepoint = sqlite.transaction((run: () => void) => run());
  }

  /** Stores events durably for every handler that wants them. Synchronous: when it returns they are safe. */
  receive(events: EventEnvelope[]): void {
    for (const { row, running } of this.storeAll(events)) {
      if (running) this.dispatcher.track(row.key, running);
      else this.dispatcher.schedule(row);
    }
    if (this.unclaimedStored) this.dispatcher.wake();
  }

  /**
   * Stores one row per (event, handler). While the dispatcher has free slots and nothing older is
   * queued, a row is stored already claimed and its handler runs at once, inside this transaction
   * (its synchronous part under a savepoint): a handler that completes synchronously, as
   * projections do, commits its effects, its "done" mark and the row itself in one write. One that
   * goes async carries on after the commit, as if the dispatcher had claimed it. Rows whose key is
   * already in hand wait their turn.
   */
  private store(events: EventEnvelope[]): Started[] {
    const receivedAt = new Date().toISOString();
    const lease = Date.now() + this.leaseMs;
    let free = this.dispatcher.freeSlots();
    const started: Started[] = [];
    const keysInHand = new Set<string>();
    this.unclaimedStored = false;
    for (const event of events) {
      const key = event.key ?? null;
      const envelope = JSON.stringify(event);
      for (const h of this.byType.get(event.type) ?? []) {
        // Payloads are checked against the publisher's schema on receipt too: a bad one is dead on arrival.
        const check = h.event.payload.safeParse(event.payload);
        if (check.success && free > 0) {
          const seq = this.table.insertClaimed({ eventId: event.id, handler: h.name, type: event.type, key, envelope, receivedAt }, lease);
          // Undefined: a redelivery of a row stored before, which is queued (or done) already.
          if (seq === undefined) continue;
          const row: InboxRow = { seq, event_id: event.id, handler: h.name, key, envelope, attempts: 1, checked: { ...event, payload: check.data } };
          const inHand = key !== null && (keysInHand.has(key) || this.dispatcher.hasKeyInHand(key));
          const running = inHand ? undefined : this.runner.run(row, h, row.checked!, this.savepoint);
          if (inHand || running) {
            started.push({ row, running });
            free--;
            if (key !== null) keysInHand.add(key);
          }
          continue;
        }
        const deadBecause = check.success ? null : `payload does not match ${event.type} v${h.event.version}: ${check.error.message}`;
        this.table.insert({ eventId: event.id, handler: h.name, type: event.type, key, envelope, receivedAt }, deadBecause);
        if (check.success) {
          this.unclaimedStored = true;
          this.dispatcher.queuedForClaim();
        }
      }
    }
    return started;
  }
}
