import type { EventDef, EventEnvelope } from '../contract.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ModuleDb, Tx } from '../persistence/sql.ts';
import type { EventHandler, HandlerContext } from './handlers.ts';
import type { InboxRow, InboxTable } from './inbox-table.ts';

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
}

class AlreadyHandled extends Error {}

/**
 * Runs one inbox row's handler and records how it ended: done (in the handler's own transaction,
 * through `ctx.commit`), retried with exponential backoff, or dead after `maxAttempts`. Failures
 * caused by an unavailable neighbour are retried for as long as it takes.
 */
export class HandlerRunner {
  constructor(
    private readonly db: ModuleDb,
    private readonly table: InboxTable,
    private readonly moduleName: string,
    private readonly logger: Logger,
    private readonly options: HandlerRunOptions,
    /** Asks the inbox to look for due rows again after `delayMs` (a retry's backoff). */
    private readonly wakeAfter: (delayMs: number) => void,
  ) {}

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
    let committed = false;
    const ctx: HandlerContext = {
      attempt: row.attempts,
      commit: <T>(write: (tx: Tx) => Promise<T> | T): Promise<T> => {
        if (committed) throw new Error(`${h.name} called commit() twice for one event`);
        committed = true;
        return this.db.transaction(async (tx) => {
          if (!(await this.table.markDone(tx, row.seq))) throw new AlreadyHandled();
          return write(tx);
        });
      },
    };
    try {
      await h.instance.handle(envelope, ctx);
      if (!committed) await this.db.transaction((tx) => this.table.markDone(tx, row.seq));
      this.options.onOutcome?.('handled');
    } catch (err) {
      if (!(err instanceof AlreadyHandled)) await this.failed(row, h, err);
    }
  }

  /** Counts a run that ended elsewhere (a projection applied as its event was stored). */
  counted(outcome: InboxOutcome): void {
    this.options.onOutcome?.(outcome);
  }

  /** Records a run that failed elsewhere (a projection applied as its event was stored): retry or dead letter. */
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
