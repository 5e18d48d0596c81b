import { sql, type Column, type SQL } from 'drizzle-orm';
import type { Executor, TxOptions } from './sql.ts';

/**
 * Rows bound per statement at most: well under both engines' limits on parameters (SQLite 32,766,
 * PostgreSQL 65,535) for rows of a few dozen columns.
 */
export const ROWS_PER_STATEMENT = 500;

/** `rows` in slices of at most `size` (none for no rows: an insert needs at least one row). */
export function chunks<T>(rows: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < rows.length; i += size) slices.push(rows.slice(i, i + size));
  return slices;
}

/**
 * For the subquery of a claim (`... WHERE seq IN (SELECT ... LIMIT n <here>)`): on PostgreSQL,
 * replicas claiming at once pass over each other's rows instead of queueing on them; SQLite has
 * no row locks, and its writers take turns anyway.
 */
export function skipLocked(on: Executor): SQL {
  return sql.raw(skipLockedText(on));
}

/** `skipLocked` for a statement written as text (the kernel's own, `statementRows`). */
export function skipLockedText(on: Executor): string {
  return on.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
}

/**
 * An integer per row, picked by the row's key: `(CASE key WHEN k1 THEN n1 ... END)`, so that one
 * UPDATE changes many rows each by its own amount (`SET reserved = reserved + <this>
 * WHERE key IN (...)`) instead of one statement per row.
 */
export function integerByKey(key: Column, amounts: ReadonlyArray<readonly [string, number]>): SQL {
  // The CAST: PostgreSQL cannot tell a parameter's type from THEN alone.
  const cases = amounts.map(([k, n]) => sql`WHEN ${k} THEN CAST(${n} AS integer)`);
  return sql`(CASE ${key} ${sql.join(cases, sql` `)} END)`;
}

/** For the kernel's queue statements (see TxOptions.queue). */
export const QUEUE_TX: TxOptions = { queue: true };

/** A table or column name for SQL written as text, quoted the way both engines read it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
