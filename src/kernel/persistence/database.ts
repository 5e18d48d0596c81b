import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirectory } from '../data-dir.ts';

export type Sqlite = Database.Database;
export type Db = BetterSQLite3Database<Record<string, never>>;

const KERNEL_MIGRATIONS = fileURLToPath(new URL('./migrations/sqlite', import.meta.url));

export interface ModuleDatabase {
  readonly sqlite: Sqlite;
  readonly db: Db;
  readonly file: string;
}

/**
 * Opens `<dataDir>/<module>.db` for one module alone and brings it up to date: the kernel's tables
 * (outbox, inbox) first, then the module's own drizzle-kit migrations. WAL lets several processes
 * (replicas of one module) share the file; busy_timeout makes them wait instead of failing.
 */
export function openModuleDatabase(dataDir: string, moduleName: string, migrationsFolder: string): ModuleDatabase {
  makeDirectory(dataDir);
  const file = join(dataDir, `${moduleName}.db`);
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Checkpoints (which fsync) every ~40 MB of WAL instead of ~4 MB: a tenth as many stalls on the
  // write path, for a larger WAL file per module.
  sqlite.pragma('wal_autocheckpoint = 10000');
  const db = drizzle(sqlite) as Db;
  migrate(db, { migrationsFolder: KERNEL_MIGRATIONS, migrationsTable: '__kernel_migrations' });
  migrate(db, { migrationsFolder: join(migrationsFolder, 'sqlite'), migrationsTable: '__module_migrations' });
  return { sqlite, db, file };
}
