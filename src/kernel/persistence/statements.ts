import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** A named parameter of a statement prepared once with drizzle's `.prepare()`. */
export const param = (name: string) => sql.placeholder(name);

/**
 * `column IN (values)` for any number of values in ONE prepared statement: the values are bound
 * as a single JSON array (JSON.stringify them) and unpacked by SQLite's json_each.
 */
export const inJsonArray = (column: SQLiteColumn, name: string): SQL => sql`${column} IN (SELECT value FROM json_each(${param(name)}))`;
