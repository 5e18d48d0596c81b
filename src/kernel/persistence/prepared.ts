import { sql, type Placeholder } from 'drizzle-orm';
import type { Executor, SqlDb } from './sql.ts';

/** A named parameter of a prepared query: `eq(cartLines.userId, param('userId'))`. */
export const param = (name: string): Placeholder => sql.placeholder(name);

/**
 * A placeholder as a value of `.set()` (and of an upsert's `set`). drizzle binds it through the
 * column, as any value it sets (a JSON column stringifies it), just as in `.values()`; only its
 * types leave placeholders out of `.set()`. Wrapped in sql`` instead, it would reach the driver
 * unencoded. Bind no null to a JSON column this way: the column would encode it as the text 'null'.
 */
export function setParam<T>(name: string): T {
  return param(name) as unknown as T;
}

/** What drizzle's `.prepare(name)` gives on either engine: run it with the parameters' values. */
interface PreparedQuery<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

/**
 * A query built once per connection handle and then only run: `prepared('cart_lines', (d) =>
 * d.select().from(cartLines).where(eq(cartLines.userId, param('userId'))))`, called as
 * `lines(on, { userId })`. Building a drizzle query costs more than SQLite takes to run a small
 * one, so a store's hot queries are prepared. On SQLite the handles are the module's
 * connections (see `Executor.runNow`), so each query is built three times at most; on
 * PostgreSQL a transaction's handle is new each time, and the query is built for it
 * (postgres.js still prepares the statement once per connection on the server).
 *
 * A lookup by primary key or unique index says no `.limit(1)`: it finds one row at most anyway,
 * and drizzle binds a limit as a parameter (`LIMIT ?`), which makes SQLite run that one-row lookup
 * two to three times slower (4.5 against 10-13 µs, measured on the saga's row).
 */
export function prepared<R>(
  name: string,
  build: (d: SqlDb) => { prepare(name: string): PreparedQuery<R> },
): (on: Executor, values?: Record<string, unknown>) => Promise<R> {
  const byHandle = new WeakMap<SqlDb, PreparedQuery<R>>();
  return (on, values = {}) =>
    on.runNow((handle) => {
      let query = byHandle.get(handle);
      if (!query) {
        query = build(handle).prepare(name);
        byHandle.set(handle, query);
      }
      // better-sqlite3's run synchronously: called directly, not through drizzle's promise wrapper.
      return isSync(query) ? query[query.executeMethod](values) : query.execute(values);
    });
}

/**
 * `prepared` for a query whose SQL follows the shape of its input (the columns an update sets,
 * how many values an IN list holds): one prepared query per shape, built on first use.
 * `const move = preparedPerShape<Row[]>('saga_move')`, then `move(shape, (d) => ...)(tx, values)`.
 */
export function preparedPerShape<R>(
  name: string,
): (shape: string, build: (d: SqlDb) => { prepare(name: string): PreparedQuery<R> }) => (on: Executor, values?: Record<string, unknown>) => Promise<R> {
  const byShape = new Map<string, (on: Executor, values?: Record<string, unknown>) => Promise<R>>();
  return (shape, build) => {
    let query = byShape.get(shape);
    if (!query) {
      query = prepared(`${name}:${shape}`, build);
      byShape.set(shape, query);
    }
    return query;
  };
}

/** better-sqlite3's prepared queries, which run synchronously. */
interface SyncPreparedQuery<R> {
  mode: 'sync';
  executeMethod: 'all' | 'get' | 'run' | 'values';
  all(values: Record<string, unknown>): R;
  get(values: Record<string, unknown>): R;
  run(values: Record<string, unknown>): R;
  values(values: Record<string, unknown>): R;
}

function isSync<R>(query: PreparedQuery<R>): query is PreparedQuery<R> & SyncPreparedQuery<R> {
  return (query as Partial<SyncPreparedQuery<R>>).mode === 'sync';
}
