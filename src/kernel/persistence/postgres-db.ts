import { sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { ModuleTx } from './module-tx.ts';
import { connect, schemaOf, serverOf, type PostgresClient, type PostgresOptions } from './postgres-connect.ts';
import { migratePostgres } from './postgres-migrate.ts';
import { CHANGED_SETTING } from './cache-freshness.ts';
import type { ModuleDb, OutboxWriter, SqlDb, Tx, TxOptions } from './sql.ts';
import { isWriteConflict, sqlStateOf } from './write-conflict.ts';

/**
 * A module's database on PostgreSQL: a schema of its own (`schemaOf(module)`), reached through a
 * pool of its own.
 *
 * The pool's sessions are read-only by default and transactions open read-write, so a write
 * outside a transaction fails at once, exactly as on the embedded engine. Transactions run
 * SERIALIZABLE: every replica of the module writes at once, and PostgreSQL aborts whichever of two
 * conflicting transactions would break the illusion that they ran one after the other (two
 * reservations of the last unit, a cancel beside a capture). The loser runs again from the start
 * on a fresh snapshot, where its read-check-write sees the winner's commit. That is the guarantee
 * the stores were written for on SQLite (one writer, BEGIN IMMEDIATE), kept without a lock that
 * would make replicas take turns. Reads outside transactions run in parallel on the pool.
 */
export class PostgresModuleDb implements ModuleDb {
  readonly dialect = 'postgres' as const;
  readonly sql: SqlDb;
  readonly location: string;
  /** Told, after each commit, which read-cache scopes the transaction changed (read-cache-postgres.ts). */
  private readonly cacheWatchers: Array<(scopes: Set<string>) => void> = [];
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
  }

  static async open(options: PostgresOptions, module: string, migrations: { kernel: string; module: string }, outbox: OutboxWriter): Promise<PostgresModuleDb> {
    const schema = schemaOf(module);
    const url = new URL(options.url);
    const where = serverOf(options.url);
    const identity = await migratePostgres(options, schema, module, migrations).catch((err: unknown) => {
      // The URL's password stays out of the message.
      throw new Error(`Module ${module} could not open its PostgreSQL schema "${schema}" at ${where} as "${decodeURIComponent(url.username) || 'the default user'}": ${(err as Error).message}`, { cause: err });
    });
    // lock_timeout: a transaction opened inside another (rather than joining it) that writes a row
    // the outer one wrote would wait for it forever; fail instead, with the reason.
    const client = connect(options, schema, module, { connection: { default_transaction_read_only: 'on', lock_timeout: '30s' } as never });
    return new PostgresModuleDb(module, schema, client, outbox, where, identity);
  }

  /** A read cache asks to hear which scopes this process's own transactions changed, as each commits. */
  onOwnCacheChanges(watch: (scopes: Set<string>) => void): void {
    this.cacheWatchers.push(watch);
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
   * Runs `work` in a transaction; when PostgreSQL aborts it for a conflict (serialization failure,
   * deadlock), runs it again on a fresh snapshot after a short random pause, up to
   * MAX_ATTEMPTS times. Nothing of an aborted attempt survives: its ModuleTx (afterCommit hooks,
   * published events) is dropped with it.
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
    const isolation = options.isolation ?? 'serializable';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(work, isolation);
      } catch (err) {
        if (!isWriteConflict(err)) throw lockTimeout(err) ? waitedTooLong(this.module, err) : err;
        if (attempt >= MAX_ATTEMPTS) {
          throw new Error(`${this.module}: a transaction conflicted with concurrent ones ${attempt} times in a row and was given up (PostgreSQL ${sqlStateOf(err)})`, { cause: err });
        }
        this.conflicts++;
        await pause(Math.random() * Math.min(MAX_PAUSE_MS, 2 ** attempt));
      }
    }
  }

  /** Transactions run again after a conflict, since the database was opened (tests and metrics read it). */
  conflicts = 0;

  private async attempt<T>(work: (tx: Tx) => Promise<T>, isolation: 'serializable' | 'read committed'): Promise<T> {
    let open: ModuleTx | undefined;
    let cacheChanges = '';
    const result = await this.sql.transaction(
      async (ptx) => {
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
      { accessMode: 'read write', isolationLevel: isolation },
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
    `A transaction of ${module} waited 30 s for a row lock: a transaction held it that long, or one was opened inside another (pass the open transaction, \`tx\`, to the store methods it calls)`,
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
