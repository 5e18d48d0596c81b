import { sql } from 'drizzle-orm';
import type { PostgresModuleDb } from './postgres-db.ts';
import { CACHE_CHANNEL, CHANGED_SETTING, type CacheFreshness } from './cache-freshness.ts';



/**
 * PostgreSQL's change signal: triggers on the watched tables NOTIFY when a change commits (an
 * UPDATE only when it changed a value), and every process LISTENs, so a write by any replica
 * reaches every cache within the notification's latency (milliseconds). The same triggers note
 * the scope in the transaction (a transaction-local setting the engine reads before COMMIT), so
 * this process's own writes count at once, without waiting for the round trip, and a client
 * always reads what it just wrote. When the listening connection drops and comes back,
 * notifications may have been missed: the version moves then too, and every answer is recomputed.
 */
export function postgresFreshness(db: PostgresModuleDb, scope: string, tables: string[]): CacheFreshness {
  let signals = 0;
  db.onOwnCacheChanges((scopes) => {
    if (scopes.has(scope)) signals++;
  });
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
      return signals;
    },
  };
}

async function installTriggers(db: PostgresModuleDb, scope: string, tables: string[]): Promise<void> {
  await db.transaction(
    async (tx) => {
      // Replicas (and caches of one process) starting together would replace the same function
      // and triggers at once, which PostgreSQL refuses ("tuple concurrently updated"): one at a time.
      await tx.rows(sql`SELECT pg_advisory_xact_lock(hashtext(${`cleave.read-cache.${db.schema}`}))`);
      await tx.changed(sql.raw(`CREATE OR REPLACE FUNCTION kernel_read_cache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE noted text := coalesce(current_setting('${CHANGED_SETTING}', true), '');
        BEGIN
          PERFORM pg_notify('${CACHE_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_ARGV[0]);
          IF position(',' || TG_ARGV[0] || ',' IN noted || ',') = 0 THEN
            PERFORM set_config('${CHANGED_SETTING}', noted || ',' || TG_ARGV[0], true);
          END IF;
          RETURN NULL;
        END $$`));
      for (const table of tables) {
        const [found] = await tx.rows<{ found: number }>(sql`SELECT 1 AS found FROM pg_tables WHERE schemaname = current_schema() AND tablename = ${table}`);
        if (!found) throw new Error(`ReadCache ${scope}: the module has no table named ${table}`);
        await tx.changed(
          sql.raw(`CREATE OR REPLACE TRIGGER kernel_read_cache_${scope}_${table} AFTER INSERT OR DELETE OR TRUNCATE ON ${table}
            FOR EACH STATEMENT EXECUTE FUNCTION kernel_read_cache_changed('${scope}')`),
        );
        // An UPDATE that changes no value fires nothing, so a no-op write never costs the cache its answers.
        await tx.changed(
          sql.raw(`CREATE OR REPLACE TRIGGER kernel_read_cache_${scope}_${table}_update AFTER UPDATE ON ${table}
            FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION kernel_read_cache_changed('${scope}')`),
        );
      }
    },
  );
}
