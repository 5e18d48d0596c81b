import type { SQL } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { z } from 'zod';
import type { EventDef, EventEnvelope } from '../contract.ts';

/** The two storage engines: embedded SQLite (the default) and PostgreSQL (DATABASE_URL). */
export type Dialect = 'sqlite' | 'postgres';

/**
 * The drizzle handle a store builds its queries on. It is typed as PostgreSQL's; on the embedded
 * engine it is SQLite's drizzle instance at run time. A store is written once, against the subset
 * of drizzle's query builder both dialects share (select/insert/update/delete, onConflict*,
 * returning), and awaits every query. Why one store and not two: docs/architecture.md, "One store,
 * two engines".
 */
export type SqlDb = PostgresJsDatabase<Record<string, never>>;

/**
 * Where a store's queries run: the module's database outside a transaction (`ModuleDb`), or an
 * open transaction (`Tx`). Store methods take one, so a caller composes several in one transaction.
 */
export interface Executor {
  readonly dialect: Dialect;
  /** Build queries on this and await them. Outside a transaction it only reads (writes are refused). */
  readonly sql: SqlDb;
  /**
   * Runs `run` with a handle to build and run a query on, in one synchronous step (the kernel's
   * `prepared` queries). Outside a transaction the embedded engine runs it on its writer
   * connection, whose page cache is warm, where the read-only connection rereads what it touches
   * after every write; while a transaction holds the writer, the query waits for it to end
   * (docs/architecture.md, "Asynchronous stores"). `run` must run its query before returning.
   */
  runNow<T>(run: (sql: SqlDb) => T | Promise<T>): Promise<T>;
  /** A raw statement's rows, for what the query builder cannot say (dialect-specific SQL). */
  rows<T>(query: SQL): Promise<T[]>;
  /**
   * The rows of a statement written with `?` for its parameters, prepared once per connection on
   * SQLite (the kernel's own hot statements: inbox, outbox, relay). Use `changed` for writes
   * that return no rows.
   */
  statementRows<T>(text: string, params: readonly unknown[]): Promise<T[]>;
  /**
   * Runs `work` in one transaction, committed when it resolves and rolled back when it throws. On a
   * `Tx` it joins the transaction already open. Only database work may be awaited inside: the
   * module's writes wait for it to end.
   *
   * On PostgreSQL it first takes the module's write lock (see postgres-db.ts), and runs `work`
   * again from the start if the server aborts it for a deadlock: `work` must do nothing but
   * database work that a rollback undoes.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>, options?: TxOptions): Promise<T>;
  /** The dialect's tables from a module's pair of declarations (see `tables.ts` in each module). */
  tables<P>(schemas: { postgres: P; sqlite: unknown }): P;
}

/** `run()` as a promise, also when it throws before returning one (a synchronous driver's failure). */
export function settle<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (err) {
    return Promise.reject(err);
  }
}

export interface TxOptions {
  /**
   * For the kernel's queue statements alone (inbox claims, retries and done marks, the relay's
   * marks): single conditional writes (`... WHERE status = 'pending'`, `FOR UPDATE SKIP LOCKED`)
   * that are right beside any number of replicas, so on PostgreSQL they skip the module's write
   * lock and replicas never wait on each other to claim work. SQLite has one writer and ignores it.
   */
  queue?: boolean;
}

export interface PublishOptions {
  /** Events with one key are handled in order by each consumer (use the aggregate id). */
  key?: string;
}

/**
 * What a transaction needs from the module's outbox (events/outbox.ts): the checked envelope of
 * an event and the statement that stores it, and a signal once stored events have committed.
 */
export interface OutboxWriter {
  write<E extends EventDef>(
    def: E,
    payload: z.input<E['payload']>,
    options: PublishOptions,
  ): { envelope: EventEnvelope<z.output<E['payload']>>; insert: { text: string; params: unknown[] } };
  committed(): void;
}

/** An open transaction in one module's database. */
export interface Tx extends Executor {
  /** Writes this rows-affected statement and says how many rows it changed. */
  changed(query: SQL): Promise<number>;
  /** `changed` for a statement written with `?` for its parameters (see `statementRows`). */
  statementChanged(text: string, params: readonly unknown[]): Promise<number>;
  /**
   * Writes the event to the module's outbox in this transaction: it is delivered if and only if
   * the transaction commits. A module publishes only its own contract's events.
   */
  publish<E extends EventDef>(def: E, payload: z.input<E['payload']>, options?: PublishOptions): Promise<EventEnvelope<z.output<E['payload']>>>;
  /** Runs once the transaction has committed (never if it rolls back). */
  afterCommit(run: () => void): void;
}

/** A module's own database, as the kernel opens it for that module alone (`Kernel.Db`). */
export interface ModuleDb extends Executor {
  readonly module: string;
  /** Where it lives, for logs and operators: a file path, or `schema @ host/database`. */
  readonly location: string;
  /**
   * The store's identity: a random id made with the store, the same in every process that shares
   * it (store-identity.ts). A split process checks it against the module's other processes.
   */
  readonly identity: string;
  /** Why the database cannot serve now (closed, unreachable), or null when it can: readiness asks. */
  problem(): Promise<string | null>;
  close(): Promise<void>;
}
