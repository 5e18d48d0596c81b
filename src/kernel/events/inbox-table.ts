import type { EventEnvelope } from '../contract.ts';
import type { Sqlite } from '../persistence/database.ts';

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
  receivedAt: string;
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
 * The only place that speaks SQL for `kernel_inbox` (see kernel-schema.ts). Statements are prepared
 * once; every write that may race a replica or a redelivery says what it found (`changes`).
 */
export class InboxTable {
  private readonly s;

  constructor(sqlite: Sqlite) {
    this.s = {
      insert: sqlite.prepare(
        `INSERT INTO kernel_inbox (event_id, handler, type, key, envelope, status, last_error, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, handler) DO NOTHING`,
      ),
      insertClaimed: sqlite.prepare(
        `INSERT INTO kernel_inbox (event_id, handler, type, key, envelope, status, received_at, locked_until, attempts)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, 1) ON CONFLICT (event_id, handler) DO NOTHING RETURNING seq`,
      ).pluck(),
      claim: sqlite.prepare(
        `UPDATE kernel_inbox SET locked_until = ?, attempts = attempts + 1
         WHERE seq IN (SELECT seq FROM kernel_inbox WHERE status = 'pending' AND next_attempt_at <= ? AND locked_until <= ?
                       ORDER BY seq LIMIT ?)
         RETURNING seq, event_id, handler, key, envelope, attempts`,
      ),
      markDone: sqlite.prepare(`UPDATE kernel_inbox SET status = 'done', handled_at = ?, last_error = NULL WHERE seq = ? AND status = 'pending'`),
      retryLater: sqlite.prepare(`UPDATE kernel_inbox SET next_attempt_at = ?, locked_until = 0, last_error = ? WHERE seq = ? AND status = 'pending'`),
      markDead: sqlite.prepare(`UPDATE kernel_inbox SET status = 'dead', locked_until = 0, last_error = ? WHERE seq = ? AND status = 'pending'`),
      nextDue: sqlite.prepare(`SELECT min(max(next_attempt_at, locked_until)) FROM kernel_inbox WHERE status = 'pending'`).pluck(),
      pending: sqlite.prepare(`SELECT count(*) FROM kernel_inbox WHERE status = 'pending'`).pluck(),
      dead: sqlite.prepare(`SELECT seq, event_id AS eventId, handler, type, attempts, last_error AS lastError, received_at AS receivedAt FROM kernel_inbox WHERE status = 'dead' ORDER BY seq`),
      revive: sqlite.prepare(`UPDATE kernel_inbox SET status = 'pending', attempts = 0, next_attempt_at = 0, locked_until = 0 WHERE seq = ? AND status = 'dead'`),
    };
  }

  /** Stores a row for the dispatcher to claim (or dead on arrival, with the reason); a repeat is ignored. */
  insert(row: NewInboxRow, deadBecause: string | null): void {
    this.s.insert.run(row.eventId, row.handler, row.type, row.key, row.envelope, deadBecause === null ? 'pending' : 'dead', deadBecause, row.receivedAt);
  }

  /** Stores a row already claimed by this process until `lockedUntil`; undefined if it was stored before. */
  insertClaimed(row: NewInboxRow, lockedUntil: number): number | undefined {
    return this.s.insertClaimed.get(row.eventId, row.handler, row.type, row.key, row.envelope, row.receivedAt, lockedUntil) as number | undefined;
  }

  /** Claims up to `limit` due rows, oldest first, until `lockedUntil`. */
  claim(now: number, lockedUntil: number, limit: number): InboxRow[] {
    return this.s.claim.all(lockedUntil, now, now, limit) as InboxRow[];
  }

  /** False if the row was no longer pending (handled elsewhere meanwhile). */
  markDone(seq: number): boolean {
    return this.s.markDone.run(new Date().toISOString(), seq).changes > 0;
  }

  retryLater(seq: number, at: number, error: string): void {
    this.s.retryLater.run(at, error, seq);
  }

  markDead(seq: number, error: string): void {
    this.s.markDead.run(error, seq);
  }

  /** When the next pending row becomes due (epoch ms), or null if none is pending. */
  nextDue(): number | null {
    return this.s.nextDue.get() as number | null;
  }

  pendingCount(): number {
    return this.s.pending.get() as number;
  }

  deadLetters(): DeadLetter[] {
    return this.s.dead.all() as DeadLetter[];
  }

  /** Puts a dead row back in the queue; false if it was not dead. */
  revive(seq: number): boolean {
    return this.s.revive.run(seq).changes > 0;
  }
}
