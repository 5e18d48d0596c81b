import type { TransactionSql } from 'postgres';
import { quoteIdentifier, ROWS_PER_STATEMENT } from './sql-pieces.ts';
import { readValue, type TablePair } from './table-pairs.ts';

/** PostgreSQL binds at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 65_535;

/** Rows read back per round trip when verifying. */
const READ_BATCH = 2_000;

/** What these statements run on: a connection, or a transaction open on one. */
export type Session = Pick<TransactionSql, 'unsafe'>;

/** A table that already holds rows, and how many. */
export interface OccupiedTable {
  table: string;
  rows: number;
}

/**
 * The tables of `schema` that hold rows, migration history and the store's identity aside (the
 * migrator writes both). A schema that does not exist yet holds none.
 */
export async function occupiedTables(client: Session, schema: string): Promise<OccupiedTable[]> {
  const tables = await client.unsafe<Array<{ table: string }>>(
    "SELECT tablename AS table FROM pg_tables WHERE schemaname = $1 AND tablename NOT LIKE '\\_\\_%' AND tablename <> 'kernel_store_identity' ORDER BY tablename",
    [schema],
  );
  const occupied: OccupiedTable[] = [];
  for (const { table } of tables) {
    const [{ n }] = await client.unsafe<Array<{ n: number }>>(`SELECT count(*) AS n FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)}`);
    if (Number(n) > 0) occupied.push({ table, rows: Number(n) });
  }
  return occupied;
}

/** Rows per INSERT for a table: many rows per round trip, within PostgreSQL's limit on parameters. */
export function batchSize(pair: TablePair): number {
  return Math.max(1, Math.min(ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / pair.columns.length)));
}

/**
 * Inserts rows (values in the order of `pair.columns`, already as PostgreSQL takes them) in one
 * multi-row INSERT. Identity columns keep the numbers the rows had: OVERRIDING SYSTEM VALUE.
 */
export async function insertRows(tx: Session, pair: TablePair, rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const width = pair.columns.length;
  const tuples = rows.map((_, r) => `(${pair.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  const text =
    `INSERT INTO ${quoteIdentifier(pair.name)} (${pair.columns.map((c) => quoteIdentifier(c.name)).join(', ')})` +
    `${pair.identity ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES ${tuples.join(', ')}`;
  await tx.unsafe(text, rows.flat() as never[]);
}

/**
 * Moves every sequence of the schema (identity and serial columns) past the numbers its table
 * holds, and past `lastNumbers` (what SQLite handed out before, rows deleted since included), so
 * the next insert gets a number no row had.
 */
export async function renumber(tx: Session, schema: string, lastNumbers: Map<string, number>): Promise<void> {
  const columns = await tx.unsafe<Array<{ table: string; column: string; sequence: string }>>(
    `SELECT table_name AS table, column_name AS column, pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) AS sequence
     FROM information_schema.columns
     WHERE table_schema = $1 AND table_name NOT LIKE '\\_\\_%' AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`,
    [schema],
  );
  for (const { table, column, sequence } of columns) {
    await tx.unsafe(`SELECT setval($1::regclass, greatest((SELECT coalesce(max(${quoteIdentifier(column)}), 0) FROM ${quoteIdentifier(table)}), $2::bigint) + 1, false)`, [
      sequence,
      lastNumbers.get(table) ?? 0,
    ]);
  }
}

/** Reads a table back, each row's values as the shop's code reads them, in the order of `pair.columns`. */
export async function readBack(tx: Session, pair: TablePair, each: (values: unknown[]) => void): Promise<void> {
  const columns = pair.columns.map((c) => quoteIdentifier(c.name)).join(', ');
  await tx.unsafe(`SELECT ${columns} FROM ${quoteIdentifier(pair.name)}`).cursor(READ_BATCH, (rows) => {
    for (const row of rows) each(pair.columns.map((c) => readValue(c.postgres, (row as Record<string, unknown>)[c.name])));
  });
}
