import type { EventEnvelope } from '../contract.ts';
import type { Sqlite } from '../persistence/database.ts';
import type { Logger } from '../logger.ts';
import { HandlerRunner, type InboxHandler, type InboxOutcome } from './handler-run.ts';
import { InboxTable, type DeadLetter, type InboxRow } from './inbox-table.ts';

export type { DeadLetter } from './inbox-table.ts';
export type { InboxHandler, InboxOutcome } from './handler-run.ts';

export interface InboxOptions {
  maxAttempts: number;
  retryBaseMs: number;
  pollMs: number;
  /** Handlers running at once for this module; events with one key still run one at a time. */
  concurrency?: number;
  /** How long a claimed event stays with this process before another replica may take it. */
  leaseMs?: number;
  /** Told how each run of a handler ended (the kernel counts them in events_handled_total). */
  onOutcome?: (outcome: InboxOutcome) => void;
}

/** A row stored already claimed: `running` when its handler started and went async, else still to schedule. */
interface Started {
  row: InboxRow;
  running?: Promise<void>;
}

/**
 * A consumer module's durable inbox and the dispatcher that works through it.
 * `receive` stores one row per (event, handler) — duplicates are ignored, which makes redelivery
 * harmless. The dispatcher claims due rows (a lease, so replicas sharing the file do not run the
 * same row at once) and hands each to the HandlerRunner (handler-run.ts: done, retried or dead).
 * The usual path skips the dispatcher: with a slot free and nothing older queued, `receive` stores
 * a row already claimed and runs its handler at once (see `store`).
 */
export class Inbox {
  private readonly byType = new Map<string, InboxHandler[]>();
  private readonly byName = new Map<string, InboxHandler>();
  private readonly table: InboxTable;
  /** Transactions built once: better-sqlite3 makes a new wrapper (four functions) per transaction() call. */
  private readonly storeAll: (events: EventEnvelope[]) => Started[];
  /** Runs a handler's synchronous part as a savepoint inside the store transaction (see `store`). */
  private readonly savepoint: (run: () => void) => void;
  private readonly runner: HandlerRunner;
  private readonly inFlightKeys = new Map<string, Promise<void>>();
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private stopped = false;
  private pumping = false;
  /**
   * True when due rows may be waiting beyond what was claimed; otherwise only new rows, timers and
   * polls wake the pump. True at first: rows left from before a restart are claimed before any
   * new row may skip the queue (see `store`).
   */
  private backlog = true;
  /** Whether the last `store` left rows for the pump to claim. */
  private unclaimedStored = false;

  constructor(
    sqlite: Sqlite,
    readonly moduleName: string,
    handlers: InboxHandler[],
    logger: Logger,
    private readonly options: InboxOptions,
  ) {
    for (const h of handlers) {
      if (this.byName.has(h.name)) throw new Error(`Module ${moduleName} registers two handlers named ${h.name}`);
      this.byName.set(h.name, h);
      this.byType.set(h.event.type, [...(this.byType.get(h.event.type) ?? []), h]);
    }
    this.table = new InboxTable(sqlite);
    this.storeAll = sqlite.transaction((events: EventEnvelope[]) => this.store(events));
    this.savepoint = sqlite.transaction((run: () => void) => run());
    this.runner = new HandlerRunner(sqlite, this.table, moduleName, logger, options, (delayMs) => setTimeout(() => this.wake(), delayMs).unref());
  }

  /** Event types this module consumes. */
  types(): string[] {
    return [...this.byType.keys()];
  }

  /** Stores events durably for every handler that wants them. Synchronous: when it returns they are safe. */
  receive(events: EventEnvelope[]): void {
    for (const { row, running } of this.storeAll(events)) {
      if (running) this.track(row.key, running);
      else this.schedule(row);
    }
    if (this.unclaimedStored) this.wake();
  }

  /**
   * Stores one row per (event, handler). While this process has free handler slots and nothing
   * older is queued, a row is stored already claimed and its handler runs at once, inside this
   * transaction (its synchronous part under a savepoint): a handler that completes synchronously,
   * as projections do, commits its effects, its "done" mark and the row itself in one write. One
   * that goes async carries on after the commit, as if the dispatcher had claimed it. Rows whose
   * key is already in hand wait their turn.
   */
  private store(events: EventEnvelope[]): Started[] {
    const receivedAt = new Date().toISOString();
    const lease = Date.now() + this.leaseMs;
    let free = this.stopped || this.backlog ? 0 : this.concurrency - this.inFlight;
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
          const inHand = key !== null && (keysInHand.has(key) || this.inFlightKeys.has(key));
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
          // The pump claims this row; until it has caught up, no newer row may jump ahead of it.
          this.unclaimedStored = true;
          this.backlog = true;
        }
      }
    }
    return started;
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 64;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 10_000;
  }



  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.inFlightKeys.values()]);
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  wake(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  pendingCount(): number {
    return this.table.pendingCount();
  }

  isIdle(): boolean {
    return this.inFlight === 0 && this.pendingCount() === 0;
  }

  deadLetters(): DeadLetter[] {
    return this.table.deadLetters();
  }

  /** Puts a dead event back in the queue (after the operator fixed the cause). */
  revive(seq: number): boolean {
    const changed = this.table.revive(seq);
    if (changed) this.wake();
    return changed;
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      // Claiming is a write transaction: claim in batches, refilling once half the slots are free.
      const concurrency = this.concurrency;
      if (this.inFlight > concurrency / 2) {
        this.backlog = true;
        return;
      }
      const limit = concurrency - this.inFlight;
      const now = Date.now();
      const rows = this.table.claim(now, now + this.leaseMs, limit);
      // A full batch means more may be waiting: finishing handlers then pull the next ones.
      this.backlog = rows.length === limit;
      for (const row of rows) this.schedule(row);
      if (rows.length === 0) this.armTimerForNextDue();
    } finally {
      this.pumping = false;
    }
  }

  private armTimerForNextDue(): void {
    const due = this.table.nextDue();
    if (due === null) return;
    const delay = Math.max(0, due - Date.now());
    if (delay < this.options.pollMs) setTimeout(() => this.wake(), delay + 1).unref();
  }

  /** Same-key events run one after another, in arrival order; others run side by side. */
  private schedule(row: InboxRow): void {
    const previous = row.key ? this.inFlightKeys.get(row.key) : undefined;
    this.track(row.key, (previous ?? Promise.resolve()).then(() => this.runOne(row)));
  }

  /** Counts a running handler against the slots, and makes later events of its key wait for it. */
  private track(key: string | null, run: Promise<void>): void {
    this.inFlight++;
    if (key) {
      const tracked = run.finally(() => {
        if (this.inFlightKeys.get(key) === tracked) this.inFlightKeys.delete(key);
      });
      this.inFlightKeys.set(key, tracked);
    }
    void run.finally(() => {
      this.inFlight--;
      if (this.backlog) this.wake();
    });
  }

  private runOne(row: InboxRow): Promise<void> {
    return this.runner.runClaimed(row, this.byName.get(row.handler));
  }
}
