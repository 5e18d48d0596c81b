import type { EventDef, EventEnvelope } from '../contract.ts';
import { AppError } from '../errors.ts';
import type { Sqlite } from '../persistence/database.ts';
import type { Logger } from '../logger.ts';
import type { EventHandler, HandlerContext } from './handlers.ts';
import { InboxTable, type DeadLetter, type InboxRow } from './inbox-table.ts';

export type { DeadLetter } from './inbox-table.ts';

export interface InboxHandler {
  name: string;
  event: EventDef;
  instance: EventHandler<unknown>;
}

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

/** How a run of a handler ended: its effect committed, a retry scheduled, or given up (dead letter). */
export type InboxOutcome = 'handled' | 'retried' | 'dead';



class AlreadyHandled extends Error {}

/** A row stored already claimed: `running` when its handler started and went async, else still to schedule. */
interface Started {
  row: InboxRow;
  running?: Promise<void>;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

/**
 * A consumer module's durable inbox and the dispatcher that works through it.
 * `receive` stores one row per (event, handler) — duplicates are ignored, which makes redelivery
 * harmless. The dispatcher claims due rows (a lease, so replicas sharing the file do not run the
 * same row at once), runs the handler, and marks the row done in the handler's own transaction.
 * A failing handler is retried with exponential backoff; after `maxAttempts` the row is 'dead'.
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
  /** The handler's writes and the inbox's "done" mark, in one transaction. */
  private readonly doneWith: (seq: number, write: () => unknown) => unknown;
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
    private readonly sqlite: Sqlite,
    readonly moduleName: string,
    handlers: InboxHandler[],
    private readonly logger: Logger,
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
    this.doneWith = sqlite.transaction((seq: number, write: () => unknown) => this.markDoneThen(seq, write));
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
          const running = inHand ? undefined : this.invoke(row, h, row.checked!, this.savepoint);
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

  private markDoneThen(seq: number, write: () => unknown): unknown {
    if (!this.table.markDone(seq)) throw new AlreadyHandled();
    return write();
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

  private async runOne(row: InboxRow): Promise<void> {
    const h = this.byName.get(row.handler);
    if (!h) {
      this.table.markDead(row.seq, `no handler named ${row.handler} in this version of ${this.moduleName}`);
      this.options.onOutcome?.('dead');
      return;
    }
    const envelope = row.checked ?? this.parseStored(row, h);
    if (!envelope) {
      this.options.onOutcome?.('dead');
      return;
    }
    await this.invoke(row, h, envelope);
  }

  /**
   * Runs the handler for one row and records how it ended. `guard` wraps the handler's synchronous
   * part (a savepoint when run inside the store transaction, so a throw undoes its writes).
   * Returns a promise only when the handler went async; until it settles the row is in flight.
   */
  private invoke(row: InboxRow, h: InboxHandler, envelope: EventEnvelope, guard: (run: () => void) => void = (run) => run()): Promise<void> | undefined {
    let committed = false;
    const ctx: HandlerContext = {
      attempt: row.attempts,
      commit: <T>(write: () => T): T => {
        if (committed) throw new Error(`${h.name} called commit() twice for one event`);
        committed = true;
        return this.doneWith(row.seq, write) as T;
      },
    };
    const handled = () => {
      if (!committed) this.table.markDone(row.seq);
      this.options.onOutcome?.('handled');
    };
    const failed = (err: unknown) => {
      if (!(err instanceof AlreadyHandled)) this.failed(row, h, err);
    };
    let result: unknown;
    try {
      guard(() => {
        result = h.instance.handle(envelope, ctx);
      });
      if (!isPromiseLike(result)) {
        handled();
        return undefined;
      }
    } catch (err) {
      failed(err);
      return undefined;
    }
    return Promise.resolve(result).then(handled).catch(failed);
  }

  /** The stored envelope with its payload checked again (the schema may have changed since), or undefined if it is now dead. */
  private parseStored(row: InboxRow, h: InboxHandler): EventEnvelope | undefined {
    const envelope = JSON.parse(row.envelope) as EventEnvelope;
    const check = h.event.payload.safeParse(envelope.payload);
    if (!check.success) {
      // A revived dead-on-arrival event (or one stored before a schema change): retrying cannot help.
      this.table.markDead(row.seq, `payload does not match ${h.event.type} v${h.event.version}: ${check.error.message}`);
      this.logger.error({ eventId: row.event_id, handler: h.name }, 'event payload breaks its schema: event moved to dead letters');
      return undefined;
    }
    envelope.payload = check.data;
    return envelope;
  }

  private failed(row: InboxRow, h: InboxHandler, err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    // A neighbour that is down (a module restarting, the broker away) is not this event's fault:
    // keep retrying at the capped backoff instead of burying the event in the dead letters.
    const neighbourDown = err instanceof AppError && err.kind === 'unavailable';
    if (row.attempts >= this.options.maxAttempts && !neighbourDown) {
      this.table.markDead(row.seq, message);
      this.options.onOutcome?.('dead');
      this.logger.error({ err, eventId: row.event_id, handler: h.name, attempts: row.attempts }, 'event handler gave up: event moved to dead letters');
      return;
    }
    const backoff = Math.min(30_000, this.options.retryBaseMs * 2 ** Math.min(row.attempts - 1, 20));
    const jitter = Math.random() * backoff * 0.2;
    this.table.retryLater(row.seq, Date.now() + backoff + jitter, message);
    this.options.onOutcome?.('retried');
    setTimeout(() => this.wake(), backoff + jitter + 1).unref();
    this.logger.warn({ err, eventId: row.event_id, handler: h.name, attempt: row.attempts, retryInMs: Math.round(backoff) }, 'event handler failed; will retry');
  }
}
