import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { PostgresClient } from './postgres-connect.ts';

/**
 * A module store's identity: a random id written into `kernel_store_identity` the first time the
 * kernel opens the store, right after its kernel tables are made, and never changed. Every process
 * sharing the store (replicas on one SQLite file, or on one PostgreSQL schema) reads the same id;
 * two stores never share one. The split runtime compares it across processes (nats/store-claim.ts).
 *
 * Both functions run where the store's openers take turns (SQLite's immediate transaction,
 * PostgreSQL's migration lock), so replicas starting together cannot both write a row.
 */

/** Gives a SQLite store its identity if it has none yet, and reads it. */
export function sqliteStoreIdentity(writer: Database.Database): string {
  return writer
    .transaction(() => {
      writer.prepare(`INSERT INTO kernel_store_identity (id, created_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM kernel_store_identity)`).run(randomUUID(), new Date().toISOString());
      return writer.prepare('SELECT id FROM kernel_store_identity').pluck().get() as string;
    })
    .immediate();
}

/** Gives a PostgreSQL store its identity if it has none yet, and reads it (on the migration session, holding its lock). */
export async function postgresStoreIdentity(session: PostgresClient): Promise<string> {
  await session`INSERT INTO kernel_store_identity (id, created_at) SELECT ${randomUUID()}, ${new Date().toISOString()} WHERE NOT EXISTS (SELECT 1 FROM kernel_store_identity)`;
  const [row] = await session<Array<{ id: string }>>`SELECT id FROM kernel_store_identity`;
  return row.id;
}
