import { readMigrationFiles } from 'drizzle-orm/migrator';
import type Database from 'better-sqlite3';

type Sqlite = Database.Database;

/**
 * Applies a folder of drizzle-kit migrations to a module's file, as drizzle's own migrator does
 * (same history table, so files migrated before keep their history), but reading the history and
 * applying what is missing in ONE immediate transaction: replicas sharing the file that start
 * together take turns instead of both creating the same tables (drizzle's migrator reads the
 * history before its deferred BEGIN, so both saw nothing applied).
 */
export function migrateSqlite(connection: Sqlite, migrationsFolder: string, table: string): void {
  const migrations = readMigrationFiles({ migrationsFolder });
  connection
    .transaction(() => {
      connection.exec(`CREATE TABLE IF NOT EXISTS "${table}" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
      const last = connection.prepare(`SELECT created_at FROM "${table}" ORDER BY created_at DESC LIMIT 1`).pluck().get() as number | string | undefined;
      const applied = last === undefined ? -1 : Number(last);
      const record = connection.prepare(`INSERT INTO "${table}" ("hash", "created_at") VALUES (?, ?)`);
      for (const migration of migrations) {
        if (migration.folderMillis <= applied) continue;
        for (const statement of migration.sql) if (statement.trim()) connection.exec(statement);
        record.run(migration.hash, migration.folderMillis);
      }
    })
    .immediate();
}
