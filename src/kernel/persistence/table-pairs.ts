import { getTableName, is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable, type SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** A module's tables as each engine declares them: the exports of its schema.ts and schema.pg.ts (`tables.ts`). */
export interface TableDeclarations {
  sqlite: Record<string, unknown>;
  postgres: Record<string, unknown>;
}

/** One column as both engines declare it, by its name in the database. */
export interface ColumnPair {
  name: string;
  sqlite: SQLiteColumn;
  postgres: PgColumn;
}

/** One table as both engines declare it, with the columns a copy writes (not those PostgreSQL computes). */
export interface TablePair {
  name: string;
  columns: ColumnPair[];
  /** PostgreSQL numbers some of its columns itself (identity): an insert giving them values must say so. */
  identity: boolean;
  /** Tables this one's foreign keys point at (itself excluded). */
  references: string[];
}

/**
 * Pairs the SQLite and PostgreSQL declarations of the same tables, by table and column name, in an
 * order that puts every table after the tables its foreign keys point at (so rows can be inserted
 * table by table). A table or column declared on one side only is an error: the copy would lose it.
 */
export function tablePairs(owner: string, declarations: TableDeclarations[]): TablePair[] {
  const sqlite = new Map<string, SQLiteColumn[]>();
  const postgres = new Map<string, ReturnType<typeof pgTableConfig>>();
  for (const { sqlite: lite, postgres: pg } of declarations) {
    for (const table of Object.values(lite)) if (is(table, SQLiteTable)) sqlite.set(getTableName(table), sqliteTableConfig(table).columns);
    for (const table of Object.values(pg)) if (is(table, PgTable)) postgres.set(getTableName(table), pgTableConfig(table));
  }
  const problems: string[] = [];
  for (const name of postgres.keys()) if (!sqlite.has(name)) problems.push(`table ${name} is declared for PostgreSQL only`);
  const pairs: TablePair[] = [];
  for (const [name, liteColumns] of sqlite) {
    const pg = postgres.get(name);
    if (!pg) {
      problems.push(`table ${name} is declared for SQLite only`);
      continue;
    }
    const pgColumns = new Map(pg.columns.map((c) => [c.name, c]));
    const columns: ColumnPair[] = [];
    for (const column of liteColumns) {
      const twin = pgColumns.get(column.name);
      if (!twin) problems.push(`column ${name}.${column.name} is declared for SQLite only`);
      // A column PostgreSQL generates from others takes no value; it follows them by itself.
      else if (twin.generated === undefined) columns.push({ name: column.name, sqlite: column, postgres: twin });
    }
    for (const column of pgColumns.keys()) if (!liteColumns.some((c) => c.name === column)) problems.push(`column ${name}.${column} is declared for PostgreSQL only`);
    const references = pg.foreignKeys.map((fk) => getTableName(fk.reference().foreignTable)).filter((t) => t !== name);
    pairs.push({ name, columns, identity: pg.columns.some((c) => c.generatedIdentity !== undefined), references });
  }
  if (problems.length > 0) throw new Error(`${owner}: the SQLite and PostgreSQL declarations differ, so a copy would lose data: ${problems.join('; ')}`);
  return parentsFirst(pairs);
}

/** Tables ordered so that each comes after those it references. */
function parentsFirst(pairs: TablePair[]): TablePair[] {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const ordered: TablePair[] = [];
  const placed = new Set<string>();
  const place = (pair: TablePair, path: string[]) => {
    if (placed.has(pair.name)) return;
    if (path.includes(pair.name)) throw new Error(`Foreign keys form a cycle: ${[...path, pair.name].join(' -> ')}`);
    for (const parent of pair.references) {
      const table = byName.get(parent);
      if (table) place(table, [...path, pair.name]);
    }
    placed.add(pair.name);
    ordered.push(pair);
  };
  for (const pair of pairs) place(pair, []);
  return ordered;
}

/**
 * A stored value as the shop's code reads it, from either engine: drizzle's own mapping of the
 * column (SQLite's 0/1 for a boolean becomes true/false, JSON text becomes its object, ...).
 */
export function readValue(column: SQLiteColumn | PgColumn, stored: unknown): unknown {
  return stored === null || stored === undefined ? null : column.mapFromDriverValue(stored);
}

/**
 * A value as the PostgreSQL column stores it, given as the shop's code sees it (`readValue` of its
 * SQLite twin). Where both engines store the same thing (text, integers) both mappings are the
 * identity; where they differ (a boolean, a JSON column, a timestamp) drizzle's declarations say
 * how, so no list of conversions is kept by hand.
 */
export function writeValue(column: PgColumn, value: unknown): unknown {
  return value === null || value === undefined ? null : column.mapToDriverValue(value);
}
