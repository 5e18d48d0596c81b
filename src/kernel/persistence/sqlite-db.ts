import Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { join } from 'node:path';
import { makeDirectory } from '../data-dir.ts';
import { ModuleTx } from './module-tx.ts';
import { migrateSqlite } from './sqlite-migrate.ts';
import { sqliteStoreIdentity } from './store-identity.ts';
import { settle, type ModuleDb, type OutboxWriter, type SqlDb, type Tx } from './sql.ts';
import { WriteLock } from './write-lock.ts';

export type Sqlite = Database.Database;
type LiteDb = BetterSQLite3Database<Record<string, never>>;

/** Distinct statements kept prepared per connection (drizzle prepares each query it runs). */
const STATEMENT_CACHE = 500;

/**
 * A module's database on the embedded engine: `<dataDir>/<module>.db`, in WAL mode.
 *
 * Two connections. Transactions run on the writer, one at a time (`WriteLock`), from BEGIN
 * IMMEDIATE to COMMIT, so an awaiting transaction never lets another one's statements into it.
 * Reads outside a transaction see only committed data. A query that runs at once (`runNow`,
 * `rows`, `statementRows`) runs on the writer, whose page cache is warm, when it holds no
 * transaction, and otherwise as soon as the transaction ends (`readOutside`); queries built on
 * `sql` and awaited later go to a second, read-only connection (WAL gives it the last committed
 * state, never a transaction's half-done work), whose page cache SQLite drops after every write.
 * Any write attempted outside a transaction fails at once on either, as it would on PostgreSQL.
 */
export class SqliteModuleDb implements ModuleDb {
  readonly dialect = 'sqlite' as const;
  readonly sql: SqlDb;
  readonly location: string;
  private readonly writerDb: LiteDb;
  private readonly readerDb: LiteDb;
  /** The writer, for reads while it holds no transaction: refuses any statement that would write. */
  private readonly idleWriter: Sqlite;
  private readonly idleWriterDb: LiteDb;
  private readonly lock: WriteLock;
  /** Reads that came while a transaction held the writer, in arrival order (see `readOutside`). */
  private readonly waitingReads: Array<(onWriter: boolean) => void> = [];
  private leftoversArmed = false;

  private constructor(
    readonly module: string,
    /** The read-write connection (also for the read caches' change counter). */
    readonly writer: Sqlite,
    readonly reader: Sqlite,
    private readonly outbox: OutboxWriter,
    readonly identity: string,
  ) {
    this.location = writer.name;
    this.lock = new WriteLock(`${module}'s database`);
    this.writerDb = drizzle(writer);
    this.readerDb = drizzle(reader);
    this.idleWriter = readOnlyView(writer);
    this.idleWriterDb = drizzle(this.idleWriter);
    this.sql = this.readerDb as unknown as SqlDb;
  }

  /**
   * Opens `<dataDir>/<module>.db` for one module alone and brings it up to date: the kernel's
   * tables (outbox, inbox, the store's identity) first, then the module's own migrations.
   */
  static open(dataDir: string, module: string, migrations: { kernel: string; module: string }, outbox: OutboxWriter): SqliteModuleDb {
    makeDirectory(dataDir);
    const file = join(dataDir, `${module}.db`);
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = NORMAL');
    writer.pragma('foreign_keys = ON');
    // Replicas sharing the file wait for each other instead of failing.
    writer.pragma('busy_timeout = 5000');
    // Checkpoints (which fsync) every ~40 MB of WAL instead of ~4 MB: a tenth as many stalls on
    // the write path, for a larger WAL file per module.
    writer.pragma('wal_autocheckpoint = 10000');
    migrateSqlite(writer, migrations.kernel, '__kernel_migrations');
    const identity = sqliteStoreIdentity(writer);
    migrateSqlite(writer, migrations.module, '__module_migrations');
    const reader = new Database(file, { readonly: true });
    reader.pragma('busy_timeout = 5000');
    cacheStatements(writer);
    cacheStatements(reader);
    return new SqliteModuleDb(module, writer, reader, outbox, identity);
  }

  runNow<T>(run: (sql: SqlDb) => T | Promise<T>): Promise<T> {
    return this.readOutside((onWriter) => run((onWriter ? this.idleWriterDb : this.readerDb) as unknown as SqlDb));
  }

  rows<T>(query: SQL): Promise<T[]> {
    return this.readOutside((onWriter) => (onWriter ? this.idleWriterDb : this.readerDb).all<T>(query));
  }

  statementRows<T>(text: string, params: readonly unknown[]): Promise<T[]> {
    return this.readOutside((onWriter) => (onWriter ? this.idleWriter : this.reader).prepare(text).all(...params) as T[]);
  }

  /**
   * A read outside a transaction, run on the writer, whose page cache is warm. While a transaction
   * holds the writer the read waits for it to end and runs right after its COMMIT (or ROLLBACK),
   * before the next transaction begins: an embedded transaction awaits nothing but the database,
   * so it ends within the event loop's current turn, and the read is late by microseconds. Under
   * load most reads would otherwise land inside some transaction's awaits and go to the read-only
   * connection, which rereads every page it touches after each write (two thirds of the saga's
   * reads did, measured). A transaction still open a turn later is not one of those (it awaits
   * something else, or a read inside it was not given its `tx`): what waited then runs on the
   * read-only connection, which sees the last committed state, as such reads always did.
   */
  private readOutside<T>(read: (onWriter: boolean) => T | Promise<T>): Promise<T> {
    if (!this.writer.inTransaction) return settle(() => read(true));
    return new Promise<T>((resolve) => {
      this.waitingReads.push((onWriter) => resolve(settle(() => read(onWriter))));
      if (!this.leftoversArmed) {
        this.leftoversArmed = true;
        setImmediate(this.readLeftovers);
      }
    });
  }

  private runWaitingReads(onWriter: boolean): void {
    if (this.waitingReads.length === 0) return;
    for (const read of this.waitingReads.splice(0)) read(onWriter);
  }

  /** A turn after a read had to wait: whatever still waits runs now, on the read-only connection if a transaction is still open. */
  private readonly readLeftovers = (): void => {
    this.leftoversArmed = false;
    this.runWaitingReads(!this.writer.inTransaction);
  };

  tables<P>(schemas: { postgres: P; sqlite: unknown }): P {
    return schemas.sqlite as P;
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const tx = new ModuleTx('sqlite', this.writerDb as unknown as SqlDb, this.statements, this.outbox);
      this.writer.prepare('BEGIN IMMEDIATE').run();
      let result: T;
      try {
        result = await work(tx);
        this.writer.prepare('COMMIT').run();
      } catch (err) {
        if (this.writer.inTransaction) this.writer.prepare('ROLLBACK').run();
        this.runWaitingReads(true);
        throw err;
      }
      this.runWaitingReads(true);
      tx.committed();
      return result;
    });
  }

  private readonly statements = {
    rows: async <T>(query: SQL): Promise<T[]> => this.writerDb.all<T>(query),
    changed: async (query: SQL): Promise<number> => this.writerDb.run(query).changes,
    statementRows: async <T>(text: string, params: readonly unknown[]): Promise<T[]> => this.writer.prepare(text).all(...params) as T[],
    statementChanged: async (text: string, params: readonly unknown[]): Promise<number> => this.writer.prepare(text).run(...params).changes,
  };

  async problem(): Promise<string | null> {
    return this.writer.open && this.reader.open ? null : 'closed';
  }

  /** Waits for the transaction in progress, then closes both connections. */
  async close(): Promise<void> {
    await this.lock.run(async () => undefined);
    this.lock.close();
    this.reader.close();
    this.writer.close();
  }
}

/**
 * The connection as reads outside a transaction see it: every statement it prepares must be
 * read-only, so a write outside a transaction fails at once, as on PostgreSQL.
 */
function readOnlyView(connection: Sqlite): Sqlite {
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'prepare') {
        return (source: string) => {
          const statement = target.prepare(source);
          // `reader`: a statement that returns rows. BEGIN, SAVEPOINT and the like count as
          // read-only for SQLite, yet would open a transaction on the writer outside its lock.
          if (!statement.readonly || !statement.reader) throw new TypeError(`attempt to write a readonly database: outside a transaction only reads run (${source})`);
          return statement;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * drizzle asks the connection to prepare every query it runs; preparing costs more than running a
 * small statement, so each connection keeps its statements by SQL text and hands them out again.
 * drizzle switches a statement to raw (array) rows where it maps columns itself: a reused one is
 * switched back first, so each use starts from better-sqlite3's default.
 */
function cacheStatements(connection: Sqlite): void {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, Database.Statement>();
  connection.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached) {
      if (cached.reader) cached.raw(false);
      return cached;
    }
    const statement = prepare(source);
    if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(source, statement);
    return statement;
  }) as Sqlite['prepare'];
}
