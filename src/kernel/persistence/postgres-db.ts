import { sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { ModuleTx } from './module-tx.ts';
import { connect, schemaOf, serverOf, type PostgresClient, type PostgresOptions } from './postgres-connect.ts';
import { migratePostgres } from './postgres-migrate.ts';
import { CHANGED_SETTING } from './cache-freshness.ts';
import { settle, type ModuleDb, type OutboxWriter, type SqlDb, type Tx, type TxOptions } from './sql.ts';
import { isWriteConflict, sqlStateOf } from './write-conflict.ts';

/**
 * A module's database on PostgreSQL: a schema of its own (`schemaOf(module)`), reached through a
 * pool of its own.
 *
 * The pool's sessions are read-only by default and transactions open read-write, so a write
 * outside a transaction fails at once, exactly as on the embedded engine. Each transaction first
 * takes the module's transaction-level advisory lock: the module's write transactions run one at
 * a time across every process sharing the schema, which is the guarantee the stores were written
 * for on SQLite (BEGIN IMMEDIATE), so a read-check-write inside a transaction (reserve if enough
 * stock, charge unless cancelled) stays true until it commits, whichever replica runs it. The
 * kernel's queue statements (TxOptions.queue) skip the lock: replicas claim work without waiting
 * on each other. Reads outside transactions run in parallel on the pool. (SERIALIZABLE
 * transactions run side by side and retried on conflict were tried instead of the lock, and
 * collapsed under checkout load: see docs/architecture.md.)
 */
export class PostgresModuleDb implements ModuleDb {
  readonly dialect = 'postgres' as const;
  readonly sql: SqlDb;
  readonly location: string;
  /** Told, after each commit, which read-cache scopes the transaction changed (read-cache-postgres.ts). */
  private readonly cacheWatchers: Array<(scopes: Set<string>) => void> = [];
  private readonly lockKey: string;
  private closed = false;

  private constructor(
    readonly module: string,
    readonly schema: string,
    readonly client: PostgresClient,
    private readonly outbox: OutboxWriter,
    host: string,
    readonly identity: string,
  ) {
    this.sql = drizzle(client) as SqlDb;
    this.location = `schema ${schema} @ ${host}`;
    this.lockKey = moduleLockKey(schema);
  }

  static async open(options: PostgresOptions, module: string, migrations: { kernel: string; module: string }, outbox: OutboxWriter): Promise<PostgresModuleDb> {
    const schema = schemaOf(module);
    const url = new URL(options.url);
    const where = serverOf(options.url);
    const identity = await migratePostgres(options, schema, module, migrations).catch((err: unknown) => {
      // The URL's password stays out of the message.
      throw new Error(`Module ${module} could not open its PostgreSQL schema "${schema}" at ${where} as "${decodeURIComponent(url.username) || 'the default user'}": ${(err as Error).message}`, { cause: err });
    });
    // lock_timeout: a transaction opened inside another (rather than joining it) waits for the
    // module's lock, which the outer one holds, forever; fail instead, with the reason.
    const client = connect(options, schema, module, { connection: { default_transaction_read_only: 'on', lock_timeout: '30s' } as never });
    return new PostgresModuleDb(module, schema, client, outbox, where, identity);
  }

  /** A read cache asks to hear which scopes this process's own transactions changed, as each commits. */
  onOwnCacheChanges(watch: (scopes: Set<string>) => void): void {
    this.cacheWatchers.push(watch);
  }

  runNow<T>(run: (sql: SqlDb) => T | Promise<T>): Promise<T> {
    return settle(() => run(this.sql));
  }

  async rows<T>(query: SQL): Promise<T[]> {
    return [...(await this.sql.execute(query))] as T[];
  }

  statementRows<T>(text: string, params: readonly unknown[]): Promise<T[]> {
    return this.rows<T>(positional(text, params));
  }

  tables<P>(schemas: { postgres: P; sqlite: unknown }): P {
    return schemas.postgres;
  }

  /**
   * Runs `work` in a transaction; when PostgreSQL aborts it for a deadlock (or a serialization
   * failure), runs it again after a short random pause, up to MAX_ATTEMPTS times. Nothing of an
   * aborted attempt survives: its ModuleTx (afterCommit hooks, published events) goes with it.
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(work, options.queue === true);
      } catch (err) {
        if (!isWriteConflict(err)) throw lockTimeout(err) ? waitedTooLong(this.module, err) : err;
        if (attempt >= MAX_ATTEMPTS) {
          throw new Error(`${this.module}: a transaction conflicted with concurrent ones ${attempt} times in a row and was given up (PostgreSQL ${sqlStateOf(err)})`, { cause: err });
        }
        await pause(Math.random() * Math.min(MAX_PAUSE_MS, 2 ** attempt));
      }
    }
  }

  private async attempt<T>(work: (tx: Tx) => Promise<T>, queue: boolean): Promise<T> {
    let open: ModuleTx | undefined;
    let cacheChanges = '';
    const result = await this.sql.transaction(
      async (ptx) => {
        if (!queue) await ptx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${this.lockKey}))`);
        const txDb = ptx as unknown as SqlDb;
        open = new ModuleTx('postgres', txDb, statementsOn(txDb), this.outbox);
        const result = await work(open);
        // Only modules with read caches pay this round trip: which of their scopes the triggers noted.
        if (this.cacheWatchers.length > 0) {
          const [row] = await ptx.execute<{ changed: string | null }>(sql`SELECT current_setting(${CHANGED_SETTING}, true) AS changed`);
          cacheChanges = row?.changed ?? '';
        }
        return result;
      },
      { accessMode: 'read write' },
    );
    if (cacheChanges) {
      const scopes = new Set(cacheChanges.split(',').filter(Boolean));
      for (const watch of this.cacheWatchers) watch(scopes);
    }
    open?.committed();
    return result;
  }

  /** A trivial query within a second: the server is up and a pool connection can be had. */
  async problem(): Promise<string | null> {
    if (this.closed) return 'closed';
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('PostgreSQL did not answer within 1 s'), 1_000);
    });
    const answer = this.client`SELECT 1`.then(
      () => null,
      (err: unknown) => `PostgreSQL unreachable: ${(err as Error).message}`,
    );
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.end({ timeout: 5 });
  }
}

/**
 * The advisory lock a module's write transactions take in turn, whichever process runs them
 * (`db:move` holds it while it copies, so a shop started on the schema too early cannot write
 * into it before the copy commits).
 */
export function moduleLockKey(schema: string): string {
  return `cleave.module.${schema}`;
}

/** How many times a transaction runs before a run of conflicts is reported as an error. */
const MAX_ATTEMPTS = 30;
/** The longest random pause between two attempts. */
const MAX_PAUSE_MS = 50;

/** PostgreSQL's "canceling statement due to lock timeout". */
function lockTimeout(err: unknown): boolean {
  return sqlStateOf(err) === '55P03';
}

function waitedTooLong(module: string, err: unknown): Error {
  return new Error(
    `A transaction of ${module} waited 30 s for its write lock: a transaction held it that long, or one was opened inside another (pass the open transaction, \`tx\`, to the store methods it calls)`,
    { cause: err },
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function statementsOn(db: SqlDb) {
  const rows = async <T>(query: SQL): Promise<T[]> => [...(await db.execute(query))] as T[];
  const changed = async (query: SQL): Promise<number> => (await db.execute(query)).count;
  return {
    rows,
    changed,
    statementRows: <T>(text: string, params: readonly unknown[]) => rows<T>(positional(text, params)),
    statementChanged: (text: string, params: readonly unknown[]) => changed(positional(text, params)),
  };
}

/** A statement written with `?` for its parameters, as drizzle SQL (postgres.js numbers and prepares it). */
function positional(text: string, params: readonly unknown[]): SQL {
  const pieces = text.split('?');
  if (pieces.length !== params.length + 1) throw new Error(`Statement has ${pieces.length - 1} parameters, given ${params.length}: ${text}`);
  return sql.join(pieces.flatMap((piece, i) => (i < params.length ? [sql.raw(piece), sql`${params[i]}`] : [sql.raw(piece)])));
}
