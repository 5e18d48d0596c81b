import { sql } from 'drizzle-orm';
import type { ModuleDb } from '../persistence/sql.ts';

/** What is waiting in a module's kernel tables, for the operator's metrics. */
export interface Backlog {
  /** Inbox rows still to handle (due now or waiting for a retry). */
  inboxPending: number;
  /** When the oldest of them arrived (ISO-8601), or null. */
  inboxOldest: string | null;
  deadLetters: number;
  /** Events committed but not yet handed to the transport. */
  outboxUnpublished: number;
  outboxOldest: string | null;
}

/**
 * Reads a module's backlog at scrape time: small queries, each over a partial index (pending and
 * dead inbox rows, unpublished outbox rows), so their cost does not grow with the handled rows.
 */
export async function readBacklog(db: ModuleDb, hasInbox: boolean): Promise<Backlog> {
  const [outbox] = await db.rows<{ n: number | string; oldest: string | null }>(
    sql`SELECT count(*) AS n, min(occurred_at) AS oldest FROM kernel_outbox WHERE published_at IS NULL`,
  );
  const [inbox] = hasInbox
    ? await db.rows<{ pending: number | string; oldest: string | null }>(
        sql`SELECT count(*) AS pending, min(received_at) AS oldest FROM kernel_inbox WHERE status = 'pending'`,
      )
    : [{ pending: 0, oldest: null }];
  const [dead] = hasInbox ? await db.rows<{ n: number | string }>(sql`SELECT count(*) AS n FROM kernel_inbox WHERE status = 'dead'`) : [{ n: 0 }];
  return {
    inboxPending: Number(inbox.pending),
    inboxOldest: inbox.oldest,
    deadLetters: Number(dead.n),
    outboxUnpublished: Number(outbox.n),
    outboxOldest: outbox.oldest,
  };
}
