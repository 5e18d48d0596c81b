import { sql, type Placeholder } from 'drizzle-orm';
import type { Executor, SqlDb } from './sql.ts';

/** A named parameter of a prepared query: `eq(cartLines.userId, param('userId'))`. */
export const param = (name: string): Placeholder => sql.placeholder(name);

/** What drizzle's `.prepare(name)` gives on either engine: run it with the parameters' values. */
interface PreparedQuery<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

/**
 * A query built once per connection handle and then only run: `prepared('cart_lines', (d) =>
 * d.select().from(cartLines).where(eq(cartLines.userId, param('userId'))))`, called as
 * `lines(on, { userId })`. Building a drizzle query costs more than SQLite takes to run a small
 * one, so a store's hot queries are prepared. On SQLite the handles are the module's two
 * connections (reads outside transactions, and every transaction's), so each query is built
 * twice at most; on PostgreSQL a transaction's handle is new each time, and the query is built
 * for it (postgres.js still prepares the statement once per connection on the server).
 */
export function prepared<R>(
  name: string,
  build: (d: SqlDb) => { prepare(name: string): PreparedQuery<R> },
): (on: Executor, values?: Record<string, unknown>) => Promise<R> {
  const byHandle = new WeakMap<SqlDb, PreparedQuery<R>>();
  return (on, values = {}) => {
    let query = byHandle.get(on.sql);
    if (!query) {
      query = build(on.sql).prepare(name);
      byHandle.set(on.sql, query);
    }
    return query.execute(values);
  };
}
