import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '../contract.ts';
import { QUEUE_TX, skipLockedText } from '../persistence/sql-pieces.ts';
import type { ModuleDb, Tx } from '../persistence/sql.ts';

/** One (event, handler) row as the dispatcher works with it. */
export interface InboxRow {
  seq: number;
  event_id: string;
  handler: string;
  key: string | null;
  envelope: string;
  attempts: number;
  /** Set when the row was claimed as it was stored: the envelope is already parsed and checked. */
  checked?: EventEnvelope;
}

export interface DeadLetter {
  seq: number;
  eventId: string;
  handler: string;
  type: string;
  attempts: number;
  lastError: string | null;
  /** When the handler gave up (a payload that broke its schema: when it arrived). */
  at: string;
}

/** What a row is stored with; `status` is 'dead' for a payload that breaks its schema. */
export interface NewInboxRow {
  eventId: string;
  handler: string;
  type: string;
  key: string | null;
  envelope: string;
  receivedAt: string;
}

/**
 * The only place that speaks SQL for `kernel_inbox` (see kernel-schema.ts), in the SQL both
 * engines read alike; the two differences are spelled out where they occur. Every write that may
 * race a replica or a redelivery says what it found (rows changed or returned).
 */
export class InboxTable {
  constructor(private readonly db: ModuleDb) {}

  /** Stores a row for the dispatcher to claim (or dead on arrival, with the reason); a repeat is ignored. */
  async insert(tx: Tx, row: NewInboxRow, deadBecause: string | null): Promise<void> {
    await tx.statementChanged(
      `INSERT INTO kernel_inbox (event_id, handler, type, key, envelope, status, last_error, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, handler) DO NOTHING`,
      [row.eventId, row.handler, row.type, row.key, row.envelope, deadBecause === null ? 'pending' : 'dead', deadBecause, row.receivedAt],
    );
  }

  /** Stores a row already claimed by this process until `lockedUntil`; undefined if it was stored before. */
  async insertClaimed(tx: Tx, row: NewInboxRow, lockedUntil: number): Promise<number | undefined> {
    const [stored] = await tx.statementRows<{ seq: number }>(
      `INSERT INTO kernel_inbox (event_id, handler, type, key, envelope, status, received_at, locked_until, attempts)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, 1) ON CONFLICT (event_id, handler) DO NOTHING RETURNING seq`,
      [row.eventId, row.handler, row.type, row.key, row.envelope, row.receivedAt, lockedUntil],
    );
    return stored?.seq;
  }

  /** Claims up to `limit` due rows, oldest first, until `lockedUntil`. */
  async claim(now: number, lockedUntil: number, limit: number): Promise<InboxRow[]> {
    const rows = await this.db.transaction((tx) =>
      tx.statementRows<InboxRow>(
        `UPDATE kernel_inbox SET locked_until = ?, attempts = attempts + 1
         WHERE seq IN (SELECT seq FROM kernel_inbox WHERE status = 'pending' AND next_attempt_at <= ? AND locked_until <= ?
                       ORDER BY seq LIMIT ? ${skipLockedText(tx)})
         RETURNING seq, event_id, handler, key, envelope, attempts`,
        [lockedUntil, now, now, limit],
      ),
      QUEUE_TX,
    );
    // RETURNING promises no order.
    return rows.sort((a, b) => a.seq - b.seq);
  }

  /** False if the row was no longer pending (handled elsewhere meanwhile). */
  async markDone(tx: Tx, seq: number): Promise<boolean> {
    const changed = await tx.statementChanged(`UPDATE kernel_inbox SET status = 'done', handled_at = ?, last_error = NULL WHERE seq = ? AND status = 'pending'`, [
      new Date().toISOString(),
      seq,
    ]);
    return changed > 0;
  }

  async retryLater(seq: number, at: number, error: string): Promise<void> {
    await this.db.transaction((tx) =>
      tx.statementChanged(`UPDATE kernel_inbox SET next_attempt_at = ?, locked_until = 0, last_error = ? WHERE seq = ? AND status = 'pending'`, [Math.round(at), error, seq]),
      QUEUE_TX,
    );
  }

  async markDead(seq: number, error: string): Promise<void> {
    await this.db.transaction((tx) =>
      tx.statementChanged(`UPDATE kernel_inbox SET status = 'dead', locked_until = 0, last_error = ?, handled_at = ? WHERE seq = ? AND status = 'pending'`, [error, new Date().toISOString(), seq]),
      QUEUE_TX,
    );
  }

  /** When the next pending row becomes due (epoch ms), or null if none is pending. */
  async nextDue(): Promise<number | null> {
    // SQLite's two-argument max() is PostgreSQL's greatest().
    const later = this.db.dialect === 'postgres' ? 'greatest(next_attempt_at, locked_until)' : 'max(next_attempt_at, locked_until)';
    const [row] = await this.db.statementRows<{ due: number | null }>(`SELECT min(${later}) AS due FROM kernel_inbox WHERE status = 'pending'`, []);
    return row?.due == null ? null : Number(row.due);
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.db.statementRows<{ n: number }>(`SELECT count(*) AS n FROM kernel_inbox WHERE status = 'pending'`, []);
    return Number(row?.n ?? 0);
  }

  deadLetters(): Promise<DeadLetter[]> {
    return this.db.rows<DeadLetter>(
      sql`SELECT seq, event_id AS "eventId", handler, type, attempts, last_error AS "lastError", coalesce(handled_at, received_at) AS "at" FROM kernel_inbox WHERE status = 'dead' ORDER BY seq`,
    );
  }

  /** Puts a dead row back in the queue; false if it was not dead. */
  async revive(seq: number): Promise<boolean> {
    const changed = await this.db.transaction(
      (tx) => tx.changed(sql`UPDATE kernel_inbox SET status = 'pending', attempts = 0, next_attempt_at = 0, locked_until = 0, handled_at = NULL WHERE seq = ${seq} AND status = 'dead'`),
      QUEUE_TX,
    );
    return changed > 0;
  }
}
