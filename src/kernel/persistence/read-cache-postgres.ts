import { sql } from 'drizzle-orm';
import type { PostgresModuleDb } from './postgres-db.ts';
import type { CacheFreshness } from './cache-freshness.ts';

/** The channel every module's cache triggers notify on; the payload is `<schema>.<scope>`. */
export const CACHE_CHANNEL = 'cleave_read_cache';

/**
 * PostgreSQL's change signal: statement triggers on the watched tables NOTIFY when a change
 * commits, and every process LISTENs, so a write by any replica reaches every cache within the
 * notification's latency (milliseconds). This process's own writes count at once, without waiting
 * for the round trip (`db.localWrites`), so a client always reads what it just wrote. When the
 * listening connection drops and comes back, notifications may have been missed: the version
 * moves then too, and every answer is recomputed.
 */
export function postgresFreshness(db: PostgresModuleDb, scope: string, tables: string[]): CacheFreshness {
  let signals = 0;
  let localWrites = db.localWrites;
  const ready = (async () => {
    await installTriggers(db, scope, tables);
    await db.client.listen(
      CACHE_CHANNEL,
      (payload) => {
        if (payload === `${db.schema}.${scope}`) signals++;
      },
      () => {
        signals++;
      },
    );
  })();
  return {
    ready,
    version() {
      if (db.localWrites !== localWrites) {
        localWrites = db.localWrites;
        signals++;
      }
      return signals;
    },
  };
}

async function installTriggers(db: PostgresModuleDb, scope: string, tables: string[]): Promise<void> {
  await db.transaction(
    async (tx) => {
      await tx.changed(sql.raw(`CREATE OR REPLACE FUNCTION kernel_read_cache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('${CACHE_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_ARGV[0]); RETURN NULL; END $$`));
      for (const table of tables) {
        const [found] = await tx.rows<{ found: number }>(sql`SELECT 1 AS found FROM pg_tables WHERE schemaname = current_schema() AND tablename = ${table}`);
        if (!found) throw new Error(`ReadCache ${scope}: the module has no table named ${table}`);
        await tx.changed(
          sql.raw(`CREATE OR REPLACE TRIGGER kernel_read_cache_${scope}_${table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
            FOR EACH STATEMENT EXECUTE FUNCTION kernel_read_cache_changed('${scope}')`),
        );
      }
    },
    { touchesModuleTables: false },
  );
}
