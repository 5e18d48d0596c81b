import type { EventDef, EventEnvelope } from '../contract.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ModuleDb, Tx } from '../persistence/sql.ts';
import type { EventHandler, HandlerContext } from './handlers.ts';
import { DoneMarks } from './done-marks.ts';
import type { InboxRow, InboxTable } from './inbox-table.ts';
import { isWriteConflict } from '../persistence/write-conflict.ts';
import { startHandlerSpan } from '../tracing/spans.ts';

/** A module's handler as the inbox knows it: the name stored in its rows, the event, the instance. */
export interface InboxHandler {
  name: string;
  event: EventDef;
  instance: EventHandler<unknown>;
}

/** How a run of a handler ended: its effect committed, a retry scheduled, or given up (dead letter). */
export type InboxOutcome = 'handled' | 'retried' | 'dead';

export interface HandlerRunOptions {
  maxAttempts: number;
  retryBaseMs: number;
  /** Told how each run ended (the kernel counts them in events_handled_total). */
  onOutcome?: (outcome: InboxOutcome) => void;
  /** Told how long each run of a handler took, and whether it threw. */
  onHandlerRun?: (handler: string, seconds: number, failed: boolean) => void;
}

class AlreadyHandled extends Error {}

/**
 * How far a handler went inside the transaction that stored its row (HandlerRunner.runInline):
 * it ended there (done, its outcome counted at commit); it failed before writing anything that
 * stays (the caller records a retry once the row is committed); or it carries on after the commit
 * (`running`, its outcome recorded when it ends; `settled` when nothing of it is left to wait for,
 * so later events of its key need not wait).
 */
export type InlineRun = { outcome: 'ended' } | { outcome: 'failed'; err: unknown } | { outcome: 'running'; running: Promise<void>; settled: boolean };

/** A handler's context, with whether it has called `commit`. */
interface CommitTracking extends HandlerContext {
  committed: boolean;
}

/** A handler's promise, and how it stands: set by the one reaction `HandlerRunner.call` attaches. */
interface HandlerRun {
  promise: Promise<void>;
  state: 'pending' | 'done' | 'failed';
}

/**
 * When the transaction that stores a row commits. The promise is made only if something asks for
 * it (a handler that carries on after the commit): most runs end inside that transaction.
 */
class StoredSignal {
  private committed = false;
  private promise: Promise<void> | undefined;
  private resolve: (() => void) | undefined;

  constructor(tx: Tx) {
    tx.afterCommit(() => {
      this.committed = true;
      this.resolve?.();
    });
  }

  /** Resolves once the transaction has committed; never, if it rolls back (that attempt is dropped whole). */
  get done(): Promise<void> {
    this.promise ??= this.committed ? Promise.resolve() : new Promise<void>((resolve) => (this.resolve = resolve));
    return this.promise;
  }
}

/**
 * Runs one inbox row's handler and records how it ended: done (in the handler's own transaction,
 * through `ctx.commit`), retried with exponential backoff, or dead after `maxAttempts`. Failures
 * caused by an unavailable neighbour are retried for as long as it takes.
 */
export class HandlerRunner {
  /** Marks of runs that committed nothing themselves, written several to a transaction. */
  private readonly doneMarks: DoneMarks;

  constructor(
    private readonly db: ModuleDb,
    private readonly table: InboxTable,
    private readonly moduleName: string,
    private readonly logger: Logger,
    private readonly options: HandlerRunOptions,
    /** Asks the inbox to look for due rows again after `delayMs` (a retry's backoff). */
    private readonly wakeAfter: (delayMs: number) => void,
  ) {
    this.doneMarks = new DoneMarks(db, table);
  }

  /** Runs a row the dispatcher claimed: its stored envelope is parsed and checked again first. */
  async runClaimed(row: InboxRow, h: InboxHandler | undefined): Promise<void> {
    if (!h) {
      await this.table.markDead(row.seq, `no handler named ${row.handler} in this version of ${this.moduleName}`);
      this.options.onOutcome?.('dead');
      return;
    }
    const envelope = row.checked ?? (await this.parseStored(row, h));
    if (!envelope) {
      this.options.onOutcome?.('dead');
      return;
    }
    await this.run(row, h, envelope);
  }

  /**
   * Runs the handler for one row and records how it ended. Its writes and the row's "done" mark
   * commit together, in the transaction `ctx.commit` opens; a handler that writes nothing is
   * marked done on its own.
   */
  async run(row: InboxRow, h: InboxHandler, envelope: EventEnvelope): Promise<void> {
    const ctx = this.contextFor(row, h, () => undefined);
    await this.finish(row, h, ctx, this.call(h, envelope, ctx).promise);
  }

  /**
   * Starts the handler for a row just stored, inside the transaction that stores it, and goes as
   * far there as is safe, so that a handler which only writes costs one transaction, not two:
   * - it calls `ctx.commit` before awaiting anything (nothing but its own writes can come before
   *   them): its writes and "done" mark run right here, under a savepoint; `ctx.write` likewise,
   *   without the mark, and the handler goes on as below;
   * - it finishes before awaiting anything, writing nothing: it is marked done right here;
   * - it fails before awaiting anything, writing nothing: the caller records the failure once the
   *   row is committed (a retry or a dead letter);
   * - otherwise it awaits something else (a call to another module, say), which must never hold
   *   the module's write transaction open: it carries on after this transaction commits, and a
   *   `ctx.commit` then opens a transaction of its own, as for a claimed row.
   * The result says which (`InlineRun`).
   *
   * A handler reaches the transaction only through `ctx.commit` or `ctx.write`, so only that write
   * needs a savepoint (a throw inside it undoes it, and leaves the row pending for a retry).
   */
  async runInline(tx: Tx, row: InboxRow, h: InboxHandler, envelope: EventEnvelope): Promise<InlineRun> {
    // The row exists for other transactions only once this one commits: what the handler does
    // later in a transaction of its own (its commit, its done mark, a retry) waits for that.
    const stored = new StoredSignal(tx);
    let inlineWrite: Promise<unknown> | undefined;
    /** Whether the inline write carried the row's done mark (`ctx.commit`) or not (`ctx.write`). */
    let inlineMarked = false;
    let starting = true;
    const ctx = this.contextFor(
      row,
      h,
      (write, markDone) => {
        if (!starting || inlineWrite) return undefined;
        const written = this.writeInline(tx, row, write, markDone);
        inlineWrite = written;
        inlineMarked = markDone;
        // On PostgreSQL this transaction may yet be aborted by a conflict with a concurrent one and
        // run again: the handler hears that its writes committed only once they have, so what it
        // does next (a call to another module) never acts on writes that were rolled back.
        // SQLite has no such aborts.
        return tx.dialect === 'postgres' ? written.then((value) => stored.done.then(() => value)) : written;
      },
      stored,
    );
    const run = this.call(h, envelope, ctx);
    const handled = run.promise;
    starting = false;
    if (inlineWrite) {
      try {
        await inlineWrite;
      } catch (err) {
        // Not the handler's failure: PostgreSQL aborted the storing transaction for a conflict with
        // a concurrent one. The whole transaction runs again (PostgresModuleDb.transaction); rolling
        // back to the savepoint would carry on as if the handler had failed.
        if (isWriteConflict(err)) throw err;
        await tx.statementChanged('ROLLBACK TO SAVEPOINT inbox_handler', []);
        await tx.statementChanged('RELEASE SAVEPOINT inbox_handler', []);
        return { outcome: 'failed', err };
      }
      await tx.statementChanged('RELEASE SAVEPOINT inbox_handler', []);
    }
    // Lets the handler's queued microtasks run: one that returned before awaiting I/O has settled.
    await undefined;
    if (run.state === 'done') {
      if (!inlineMarked) await this.table.markDone(tx, row.seq);
      tx.afterCommit(() => this.options.onOutcome?.('handled'));
      return { outcome: 'ended' };
    }
    // Whatever the handler does after its commit happens outside this transaction.
    if (inlineMarked) return { outcome: 'running', running: this.afterInlineCommit(row, h, handled), settled: run.state === 'failed' };
    if (run.state === 'failed') {
      // What it wrote through `ctx.write` stays, as it would have in a transaction of its own.
      const err = await handled.catch((e: unknown) => e);
      if (isWriteConflict(err)) throw err;
      return { outcome: 'failed', err };
    }
    return { outcome: 'running', running: this.finish(row, h, ctx, handled, stored.done), settled: false };
  }

  /** A handler's `ctx.commit` (with the row's done mark) or `ctx.write` inside the storing transaction, under a savepoint. */
  private async writeInline(tx: Tx, row: InboxRow, write: (tx: Tx) => Promise<unknown> | unknown, markDone: boolean): Promise<unknown> {
    await tx.statementChanged('SAVEPOINT inbox_handler', []);
    if (markDone) await this.table.markDone(tx, row.seq);
    return write(tx);
  }

  /**
   * The context a handler gets: `commit` runs its writes with the row's "done" mark, `write` runs
   * them without it, each through `inline` when that takes it (see runInline), else in a
   * transaction of its own.
   */
  private contextFor(
    row: InboxRow,
    h: InboxHandler,
    inline: (write: (tx: Tx) => Promise<unknown> | unknown, markDone: boolean) => Promise<unknown> | undefined,
    /** For a row stored in a transaction still open: when it commits. */
    stored?: StoredSignal,
  ): CommitTracking {
    const ctx: CommitTracking = {
      attempt: row.attempts,
      committed: false,
      commit: <T>(write: (tx: Tx) => Promise<T> | T): Promise<T> => {
        if (ctx.committed) throw new Error(`${h.name} called commit() twice for one event`);
        ctx.committed = true;
        const here = inline(write, true) as Promise<T> | undefined;
        if (here) return here;
        const own = () =>
          this.db.transaction(async (tx) => {
            if (!(await this.table.markDone(tx, row.seq))) throw new AlreadyHandled();
            return write(tx);
          });
        return stored ? stored.done.then(own) : own();
      },
      write: <T>(write: (tx: Tx) => Promise<T> | T): Promise<T> => {
        const here = inline(write, false) as Promise<T> | undefined;
        return here ?? this.db.transaction(async (tx) => write(tx));
      },
    };
    return ctx;
  }

  /**
   * The handler's promise, also when it throws before its first await, with how it stands. One
   * reaction records its end (state, span, duration): it also observes a failure, so one seen
   * only later, after awaits of the caller's own, is not "unhandled".
   */
  private call(h: InboxHandler, envelope: EventEnvelope, ctx: HandlerContext): HandlerRun {
    const started = performance.now();
    const span = startHandlerSpan(this.moduleName, h.name, envelope);
    let promise: Promise<void>;
    try {
      promise = Promise.resolve(span ? span.within(() => h.instance.handle(envelope, ctx)) : h.instance.handle(envelope, ctx));
    } catch (err) {
      promise = Promise.reject(err);
    }
    const run: HandlerRun = { promise, state: 'pending' };
    const report = this.options.onHandlerRun;
    promise.then(
      () => {
        run.state = 'done';
        span?.end();
        report?.(h.name, (performance.now() - started) / 1000, false);
      },
      (err: unknown) => {
        run.state = 'failed';
        span?.end(err ?? new Error('handler failed'));
        report?.(h.name, (performance.now() - started) / 1000, true);
      },
    );
    return run;
  }

  /** Waits for a handler started elsewhere and records how it ended. */
  private async finish(row: InboxRow, h: InboxHandler, ctx: CommitTracking, handled: Promise<void>, stored?: Promise<void>): Promise<void> {
    try {
      await handled;
      await stored;
      if (!ctx.committed) await this.doneMarks.mark(row.seq);
      this.options.onOutcome?.('handled');
    } catch (err) {
      await stored;
      if (!(err instanceof AlreadyHandled)) await this.failed(row, h, err);
    }
  }

  /** A handler whose writes committed with the row: what it does afterwards can only fail loudly. */
  private async afterInlineCommit(row: InboxRow, h: InboxHandler, handled: Promise<void>): Promise<void> {
    try {
      await handled;
      this.options.onOutcome?.('handled');
    } catch (err) {
      // Its effect and "done" mark are committed: there is nothing to retry, only to tell.
      this.options.onOutcome?.('handled');
      this.logger.error({ err, eventId: row.event_id, handler: h.name }, 'event handler failed after its writes committed');
    }
  }

  /** Records a run that failed inside the storing transaction (its writes undone): retry or dead letter. */
  recordFailure(row: InboxRow, h: InboxHandler, err: unknown): Promise<void> {
    return this.failed(row, h, err);
  }

  /** The stored envelope with its payload checked again (the schema may have changed since), or undefined if it is now dead. */
  private async parseStored(row: InboxRow, h: InboxHandler): Promise<EventEnvelope | undefined> {
    const envelope = JSON.parse(row.envelope) as EventEnvelope;
    const check = h.event.payload.safeParse(envelope.payload);
    if (!check.success) {
      // A revived dead-on-arrival event (or one stored before a schema change): retrying cannot help.
      await this.table.markDead(row.seq, `payload does not match ${h.event.type} v${h.event.version}: ${check.error.message}`);
      this.logger.error({ eventId: row.event_id, handler: h.name }, 'event payload breaks its schema: event moved to dead letters');
      return undefined;
    }
    envelope.payload = check.data;
    return envelope;
  }

  private async failed(row: InboxRow, h: InboxHandler, err: unknown): Promise<void> {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    // A neighbour that is down (a module restarting, the broker away) is not this event's fault:
    // keep retrying at the capped backoff instead of burying the event in the dead letters.
    const neighbourDown = err instanceof AppError && err.kind === 'unavailable';
    try {
      if (row.attempts >= this.options.maxAttempts && !neighbourDown) {
        await this.table.markDead(row.seq, message);
        this.options.onOutcome?.('dead');
        this.logger.error({ err, eventId: row.event_id, handler: h.name, attempts: row.attempts }, 'event handler gave up: event moved to dead letters');
        return;
      }
      const backoff = Math.min(30_000, this.options.retryBaseMs * 2 ** Math.min(row.attempts - 1, 20));
      const jitter = Math.random() * backoff * 0.2;
      await this.table.retryLater(row.seq, Date.now() + backoff + jitter, message);
      this.options.onOutcome?.('retried');
      this.wakeAfter(backoff + jitter + 1);
      this.logger.warn({ err, eventId: row.event_id, handler: h.name, attempt: row.attempts, retryInMs: Math.round(backoff) }, 'event handler failed; will retry');
    } catch (recordErr) {
      // The database itself failed (closing, unreachable): the lease runs out and the row is claimed again.
      this.logger.error({ err: recordErr, eventId: row.event_id, handler: h.name }, 'could not record a failed handler run; the row is retried after its lease');
    }
  }
}
