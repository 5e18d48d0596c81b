import type { EventDef, EventEnvelope } from '../contract.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Sqlite } from '../persistence/database.ts';
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

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

/**
 * Runs one inbox row's handler and records how it ended: done (in the handler's own transaction,
 * through `ctx.commit`), retried with exponential backoff, or dead after `maxAttempts`. Failures
 * caused by an unavailable neighbour are retried for as long as it takes.
 */
export class HandlerRunner {
  /** The handler's writes and the row's "done" mark, in one transaction (built once). */
  private readonly doneWith: (seq: number, write: () => unknown) => unknown;

  constructor(
    sqlite: Sqlite,
    private readonly table: InboxTable,
    private readonly moduleName: string,
    private readonly logger: Logger,
    private readonly options: HandlerRunOptions,
    /** Asks the inbox to look for due rows again after `delayMs` (a retry's backoff). */
    private readonly wakeAfter: (delayMs: number) => void,
  ) {
    this.doneWith = sqlite.transaction((seq: number, write: () => unknown) => {
      if (!table.markDone(seq)) throw new AlreadyHandled();
      return write();
    });
  }

  /** Runs a row the dispatcher claimed: its stored envelope is parsed and checked again first. */
  async runClaimed(row: InboxRow, h: InboxHandler | undefined): Promise<void> {
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
    await this.run(row, h, envelope);
  }

  /**
   * Runs the handler for one row and records how it ended. `guard` wraps the handler's synchronous
   * part (a savepoint when run inside the inbox's store transaction, so a throw undoes its writes).
   * Returns a promise only when the handler went async; until it settles the row is in flight.
   */
  run(row: InboxRow, h: InboxHandler, envelope: EventEnvelope, guard: (run: () => void) => void = (run) => run()): Promise<void> | undefined {
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
    this.wakeAfter(backoff + jitter + 1);
    this.logger.warn({ err, eventId: row.event_id, handler: h.name, attempt: row.attempts, retryInMs: Math.round(backoff) }, 'event handler failed; will retry');
  }
}
