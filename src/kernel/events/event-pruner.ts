import type { Logger } from '../logger.ts';
import type { ModuleDb } from '../persistence/sql.ts';
import { QUEUE_TX } from '../persistence/sql-pieces.ts';

/** Rows read per step: each step is one short transaction, so a large backlog never holds the writer long. */
const PAGE = 1_000;
/** How often a module's outbox and inbox are pruned. */
const EVERY_MS = 60 * 60 * 1_000;

/**
 * What may go from each kernel table: published events from the outbox, handled events from the
 * inbox (a dead letter stays until an operator revives or discards it; a pending event until it is
 * handled). `bornAt` is when a row was written, which grows with `seq`: a row written after the
 * cut-off cannot have been published or handled before it, so the walk stops at the first one.
 */
const TABLES = [
  { table: 'kernel_outbox', bornAt: 'occurred_at', gone: 'published_at IS NOT NULL AND published_at < ?' },
  { table: 'kernel_inbox', bornAt: 'received_at', gone: "status = 'done' AND handled_at < ?" },
] as const;

/**
 * Deletes a module's delivered events once they are older than the retention
 * (EVENT_RETENTION_HOURS): without it the outbox and the inbox grow with every event for ever.
 * An inbox row is what makes a redelivered event harmless, so the retention must outlast every
 * redelivery: JetStream's (the ack wait times the delivery attempts, minutes) and a replay an
 * operator may run. The walk goes by `seq` from the oldest row, a page at a time, and each page's
 * rows go in one short queue transaction (no module write lock on PostgreSQL).
 */
export class EventPruner {
  private timer: NodeJS.Timeout | undefined;
  /** The prune in progress, if any: an hourly tick that finds one still running is skipped. */
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(
    private readonly db: ModuleDb,
    private readonly retentionMs: number,
    private readonly logger: Logger,
  ) {}

  /** Prunes once now (in the background) and then every hour. */
  start(): void {
    const run = () => {
      if (this.running) return;
      this.running = this.prune()
        .catch((err: unknown) => this.logger.warn({ err }, 'pruning old events failed; will try again in an hour'))
        .finally(() => {
          this.running = undefined;
        });
    };
    run();
    this.timer = setInterval(run, EVERY_MS);
    this.timer.unref();
  }

  /** Stops after the page in progress: a long first prune never holds up a shutdown. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes what is older than the retention at `now`; says how many rows left each table. */
  async prune(now = Date.now()): Promise<Record<(typeof TABLES)[number]['table'], number>> {
    const cutoff = new Date(now - this.retentionMs).toISOString();
    const deleted = { kernel_outbox: 0, kernel_inbox: 0 };
    for (const t of TABLES) {
      let after = 0;
      while (!this.stopping) {
        const page = await this.db.statementRows<{ seq: number; born: string }>(`SELECT seq, ${t.bornAt} AS born FROM ${t.table} WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`, [after]);
        if (page.length === 0) break;
        const young = page.findIndex((row) => row.born >= cutoff);
        const last = young === -1 ? page[page.length - 1].seq : young === 0 ? undefined : page[young - 1].seq;
        if (last !== undefined) {
          const from = after;
          deleted[t.table] += await this.db.transaction((tx) => tx.statementChanged(`DELETE FROM ${t.table} WHERE seq > ? AND seq <= ? AND ${t.gone}`, [from, Number(last), cutoff]), QUEUE_TX);
          after = Number(last);
        }
        if (young !== -1 || page.length < PAGE) break;
      }
    }
    if (deleted.kernel_outbox + deleted.kernel_inbox > 0) this.logger.info({ deleted, olderThan: cutoff }, 'pruned delivered events');
    return deleted;
  }
}
