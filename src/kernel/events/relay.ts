import type { EventEnvelope } from '../contract.ts';
import type { ModuleDb } from '../persistence/sql.ts';
import { QUEUE_TX } from '../persistence/sql-pieces.ts';
import type { Logger } from '../logger.ts';
import { WakeLoop } from './wake-loop.ts';

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  version: number;
  key: string | null;
  trace_id: string | null;
  payload: string;
  occurred_at: string;
}

const BATCH = 500;

/**
 * Moves committed events from a module's outbox to the transport. It wakes right after a publish
 * and also polls, so events written before a crash are delivered after restart. Delivery is
 * at-least-once: an event is marked published only after the transport took it.
 */
export class OutboxRelay {
  private readonly loop: WakeLoop;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly db: ModuleDb,
    private readonly deliver: (events: EventEnvelope[]) => Promise<void>,
    private readonly logger: Logger,
    pollMs: number,
  ) {
    this.loop = new WakeLoop(pollMs, () => {
      this.drain().catch((err: unknown) => this.logger.error({ err }, 'outbox relay failed; will retry on next poll'));
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Asks for a drain soon; many wakes within one tick collapse into one drain. */
  wake(): void {
    this.loop.wake();
  }

  async pending(): Promise<number> {
    const [row] = await this.db.statementRows<{ n: number }>('SELECT count(*) AS n FROM kernel_outbox WHERE published_at IS NULL', []);
    return Number(row?.n ?? 0);
  }

  /** Delivers everything committed so far. Concurrent callers share one run. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again && !this.loop.isStopped) {
        this.again = false;
        this.wake();
      }
    });
    return this.running;
  }

  private async run(): Promise<void> {
    for (;;) {
      // Committed rows only: the module's database outside a transaction reads what has committed.
      const rows = await this.db.statementRows<OutboxRow>(`SELECT * FROM kernel_outbox WHERE published_at IS NULL ORDER BY seq LIMIT ${BATCH}`, []);
      if (rows.length === 0) return;
      const events = rows.map(toEnvelope);
      try {
        await this.deliver(events);
      } catch (err) {
        this.logger.warn({ err, pending: rows.length }, 'outbox delivery failed; will retry on next poll');
        return;
      }
      const now = new Date().toISOString();
      // The rows are consecutive in practice (one writer at a time), but only their own seqs are marked.
      const first = rows[0].seq;
      const last = rows[rows.length - 1].seq;
      await this.db.transaction(async (tx) => {
        if (last - first + 1 === rows.length) {
          await tx.statementChanged('UPDATE kernel_outbox SET published_at = ? WHERE seq BETWEEN ? AND ? AND published_at IS NULL', [now, first, last]);
        } else {
          for (const r of rows) await tx.statementChanged('UPDATE kernel_outbox SET published_at = ? WHERE seq = ?', [now, r.seq]);
        }
      }, QUEUE_TX);
      if (rows.length < BATCH) return;
    }
  }

  async stop(): Promise<void> {
    this.loop.stopPolling();
    await this.drain().catch(() => undefined);
    this.loop.stop();
  }
}

function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: row.occurred_at,
    ...(row.key ? { key: row.key } : {}),
    ...(row.trace_id ? { traceId: row.trace_id } : {}),
    payload: JSON.parse(row.payload),
  };
}
