import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MoveRefused } from './move-refused.ts';
import { quoteIdentifier } from './sql-pieces.ts';
import type { TablePair } from './table-pairs.ts';

/** The migration history tables sqlite-migrate.ts writes: the migrator writes them again on the target, so they are not copied. */
const HISTORY = { kernel: '__kernel_migrations', module: '__module_migrations' } as const;

/**
 * A module's SQLite file, opened to be copied elsewhere. Every read runs in one read transaction,
 * so all tables come from the same moment even if something still writes the file.
 */
export class SqliteSource {
  private constructor(
    readonly module: string,
    readonly file: string,
    private readonly connection: Database.Database,
  ) {}

  /**
   * Opens `<dataDir>/<module>.db` and checks that it can be copied whole: it exists, it was last
   * migrated by this version of Cleave (so its columns are the ones declared), and it holds no
   * table or column that `pairs` does not declare (their rows would be left behind).
   */
  static open(dataDir: string, module: string, folders: { kernel: string; module: string }, pairs: TablePair[]): SqliteSource {
    const file = join(resolve(dataDir), `${module}.db`);
    if (!existsSync(file)) {
      throw new MoveRefused(`${module}: there is no ${file}. Point --data-dir (or DATA_DIR) at the directory the shop ran with, or name the modules that have data with --module.`);
    }
    // Read-write, though only read: after a crash, the first connection replays the write-ahead log.
    const connection = new Database(file, { fileMustExist: true });
    connection.pragma('busy_timeout = 5000');
    const source = new SqliteSource(module, file, connection);
    try {
      source.checkMigrated(folders.kernel, HISTORY.kernel);
      source.checkMigrated(folders.module, HISTORY.module);
      source.checkDeclared(pairs);
      connection.prepare('BEGIN').run();
    } catch (err) {
      connection.close();
      throw err;
    }
    return source;
  }

  /** The stored values of every row of a table, in the order of `pair.columns`, one row at a time. */
  rows(pair: TablePair): IterableIterator<unknown[]> {
    const columns = pair.columns.map((c) => quoteIdentifier(c.name)).join(', ');
    return this.connection.prepare(`SELECT ${columns} FROM ${quoteIdentifier(pair.name)}`).raw(true).iterate() as IterableIterator<unknown[]>;
  }

  /**
   * The last number SQLite handed out per AUTOINCREMENT table: never reused, even when the row
   * holding it was deleted since, so PostgreSQL must not hand it out again either.
   */
  lastNumbers(): Map<string, number> {
    if (!this.hasTable('sqlite_sequence')) return new Map();
    const rows = this.connection.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{ name: string; seq: number }>;
    return new Map(rows.map((r) => [r.name, Number(r.seq)]));
  }

  close(): void {
    if (this.connection.inTransaction) this.connection.prepare('ROLLBACK').run();
    this.connection.close();
  }

  private checkMigrated(folder: string, table: string): void {
    const migrations = readMigrationFiles({ migrationsFolder: folder });
    const latest = migrations.at(-1)?.folderMillis ?? -1;
    const applied = this.hasTable(table) ? Number(this.connection.prepare(`SELECT max(created_at) FROM ${quoteIdentifier(table)}`).pluck().get() ?? -1) : -1;
    if (applied < latest) {
      throw new MoveRefused(
        `${this.module}: ${this.file} was last opened by an older version of Cleave (its ${table} stops before the latest migration). ` +
          'Start the shop once with this version (it brings its files up to date), stop it, then move.',
      );
    }
    if (applied > latest) {
      throw new MoveRefused(`${this.module}: ${this.file} was written by a newer version of Cleave than this one (its ${table} has migrations this version lacks). Move it with that version.`);
    }
  }

  private checkDeclared(pairs: TablePair[]): void {
    const declared = new Map(pairs.map((p) => [p.name, new Set(p.columns.map((c) => c.name))]));
    // PRAGMA table_list tells plain tables from virtual ones (search's full-text index) and their shadow tables, which are derived.
    const tables = this.connection.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'").pluck().all() as string[];
    const problems: string[] = [];
    for (const table of tables) {
      if (table.startsWith('sqlite_') || table === HISTORY.kernel || table === HISTORY.module) continue;
      const columns = declared.get(table);
      if (!columns) {
        problems.push(`table ${table} is not declared in the module's schema`);
        continue;
      }
      const stored = this.connection.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
      for (const column of stored) if (!columns.has(column)) problems.push(`column ${table}.${column} is not declared in the module's schema`);
    }
    if (problems.length > 0) throw new MoveRefused(`${this.module}: ${this.file} holds data the copy would leave behind: ${problems.join('; ')}.`);
  }

  private hasTable(name: string): boolean {
    return this.connection.prepare("SELECT 1 FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(name) !== undefined;
  }
}
