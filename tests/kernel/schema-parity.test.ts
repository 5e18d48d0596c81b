import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Column, getTableName, is, Param, SQL, StringChunk } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, IndexedColumn, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';

/**
 * Every table is declared twice: schema.ts (SQLite) and schema.pg.ts (PostgreSQL), likewise the
 * kernel's kernel-schema.ts and kernel-schema.pg.ts. Both must describe the same tables, so code
 * written against one behaves alike on the other: same exports, tables, columns, nullability,
 * defaults, keys, unique constraints, indexes (partial ones included), checks and foreign keys,
 * with column types that hold the same values. Columns that only a hand-written PostgreSQL
 * migration adds (search's search_vector) are not declared in schema.pg.ts and not compared.
 */

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

interface SchemaPair {
  owner: string;
  sqlite: string;
  pg: string;
}

const pairs: SchemaPair[] = [
  { owner: 'kernel', sqlite: `${SRC}kernel/persistence/kernel-schema.ts`, pg: `${SRC}kernel/persistence/kernel-schema.pg.ts` },
  ...readdirSync(`${SRC}modules`, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ owner: d.name, sqlite: `${SRC}modules/${d.name}/internal/schema.ts`, pg: `${SRC}modules/${d.name}/internal/schema.pg.ts` })),
];

/** One side of a pair, reduced to comparable strings (column names, not drizzle objects). */
interface TableShape {
  exportName: string;
  columns: Map<string, ColumnShape>;
  primaryKey: string;
  uniques: string[];
  indexes: string[];
  foreignKeys: string[];
  checks: string[];
}

interface ColumnShape {
  /** text | json-text | integer | boolean | real; `?<columnType>` when there is no mapping. */
  kind: string;
  /** For bigint/integer choices on the PostgreSQL side. */
  columnType: string;
  notNull: boolean;
  /** A value comes from the database when none is given: INTEGER PRIMARY KEY (rowid) / identity. */
  autoNumbered: boolean;
  /** A declared default (not counting auto-numbering), rendered. */
  default: string;
  enumValues: string;
}

/** SQL as text, with columns by bare name, quotes dropped and spaces folded: comparable across dialects. */
function render(chunk: unknown): string {
  if (is(chunk, SQL)) return chunk.queryChunks.map(render).join('');
  if (is(chunk, StringChunk)) return chunk.value.join('');
  if (is(chunk, Column)) return chunk.name;
  if (is(chunk, Param)) return JSON.stringify(chunk.value);
  if (typeof chunk === 'string') return chunk;
  throw new Error(`schema-parity: cannot render ${String(chunk)}`);
}
const normalize = (text: string) => text.replace(/["`]/g, '').replace(/\s+/g, ' ').trim();
const renderSql = (value: unknown) => normalize(render(value));

function renderDefault(value: unknown): string {
  if (value === undefined) return '(none)';
  return is(value, SQL) ? `sql:${renderSql(value)}` : JSON.stringify(value);
}

/** An index column: `name`, `name DESC`, or an expression as written. */
function indexColumn(column: unknown): string {
  if (is(column, IndexedColumn)) return `${column.name ?? '?'}${column.indexConfig?.order === 'desc' ? ' DESC' : ''}`;
  if (is(column, Column)) return column.name;
  const text = renderSql(column);
  const ordered = /^(\w+) (ASC|DESC)$/i.exec(text);
  if (!ordered) return text;
  return ordered[2]!.toUpperCase() === 'DESC' ? `${ordered[1]} DESC` : ordered[1]!;
}

const SQLITE_KINDS: Record<string, string> = {
  SQLiteText: 'text',
  SQLiteTextJson: 'json-text',
  SQLiteInteger: 'integer',
  SQLiteBoolean: 'boolean',
  SQLiteReal: 'real',
};

/** bigint only in `mode: 'number'` (PgBigInt53): the SQLite side hands out JS numbers, not bigints. */
const PG_KINDS: Record<string, string> = {
  PgText: 'text',
  PgInteger: 'integer',
  PgBigInt53: 'integer',
  PgBoolean: 'boolean',
  PgDoublePrecision: 'real',
};

function pgKind(column: PgColumn): string {
  // jsonText(): a text column that drizzle (de)serializes as JSON, like sqlite's text({ mode: 'json' }).
  if (column.columnType === 'PgCustomColumn' && column.getSQLType() === 'text') return 'json-text';
  return PG_KINDS[column.columnType] ?? `?${column.columnType}`;
}

function uniquesOf(table: string, columns: Array<SQLiteColumn | PgColumn>, constraints: Array<{ getName(): string | undefined; columns: Column[] }>): string[] {
  return [
    ...columns.filter((c) => c.isUnique).map((c) => `${c.uniqueName ?? `${table}_${c.name}_unique`}(${c.name})`),
    ...constraints.map((u) => `${u.getName() ?? '(unnamed)'}(${u.columns.map((c) => c.name).join(',')})`),
  ].sort();
}

function primaryKeyOf(columns: Array<SQLiteColumn | PgColumn>, composite: Array<{ columns: Column[] }>): string {
  const keys = [...columns.filter((c) => c.primary).map((c) => c.name), ...composite.map((pk) => pk.columns.map((c) => c.name).join(','))];
  return keys.length === 0 ? '(none)' : keys.join(' + ');
}

interface ForeignKeyLike {
  getName(): string;
  reference(): { columns: Column[]; foreignColumns: Column[] };
  onUpdate?: string;
  onDelete?: string;
}

function foreignKeysOf(keys: ForeignKeyLike[]): string[] {
  return keys
    .map((fk) => {
      const { columns, foreignColumns } = fk.reference();
      const target = getTableName(foreignColumns[0]!.table);
      return `${fk.getName()}: (${columns.map((c) => c.name).join(',')}) -> ${target}(${foreignColumns.map((c) => c.name).join(',')}) on update ${fk.onUpdate ?? 'no action'} on delete ${fk.onDelete ?? 'no action'}`;
    })
    .sort();
}

function sqliteShapes(exports: Record<string, unknown>): Map<string, TableShape> {
  const shapes = new Map<string, TableShape>();
  for (const [exportName, value] of Object.entries(exports)) {
    if (!is(value, SQLiteTable)) continue;
    const t = sqliteTableConfig(value);
    shapes.set(t.name, {
      exportName,
      columns: new Map(
        t.columns.map((c) => {
          const autoNumbered = c.columnType === 'SQLiteInteger' && c.primary;
          return [c.name, {
            kind: SQLITE_KINDS[c.columnType] ?? `?${c.columnType}`,
            columnType: c.columnType,
            notNull: c.notNull,
            autoNumbered,
            default: renderDefault(c.default),
            enumValues: JSON.stringify(c.enumValues ?? null),
          }];
        }),
      ),
      primaryKey: primaryKeyOf(t.columns, t.primaryKeys),
      uniques: uniquesOf(t.name, t.columns, t.uniqueConstraints),
      indexes: t.indexes
        .map((i) => `${i.config.unique ? 'unique ' : ''}${i.config.name}(${i.config.columns.map(indexColumn).join(', ')})${i.config.where ? ` where ${renderSql(i.config.where)}` : ''}`)
        .sort(),
      foreignKeys: foreignKeysOf(t.foreignKeys),
      checks: t.checks.map((c) => `${c.name}: ${renderSql(c.value)}`).sort(),
    });
  }
  return shapes;
}

function pgShapes(exports: Record<string, unknown>): Map<string, TableShape> {
  const shapes = new Map<string, TableShape>();
  for (const [exportName, value] of Object.entries(exports)) {
    if (!is(value, PgTable)) continue;
    const t = pgTableConfig(value);
    if (t.schema !== undefined) throw new Error(`${t.name} is declared in pgSchema('${t.schema}'): tables go in whatever schema search_path names`);
    shapes.set(t.name, {
      exportName,
      columns: new Map(
        t.columns.map((c) => [c.name, {
          kind: pgKind(c),
          columnType: c.columnType,
          notNull: c.notNull,
          autoNumbered: c.generatedIdentity !== undefined,
          default: renderDefault(c.default),
          enumValues: JSON.stringify(c.enumValues ?? null),
        }]),
      ),
      primaryKey: primaryKeyOf(t.columns, t.primaryKeys),
      uniques: uniquesOf(t.name, t.columns, t.uniqueConstraints),
      indexes: t.indexes
        .map((i) => {
          const method = i.config.method ?? 'btree';
          return `${i.config.unique ? 'unique ' : ''}${i.config.name}(${i.config.columns.map(indexColumn).join(', ')})${i.config.where ? ` where ${renderSql(i.config.where)}` : ''}${method === 'btree' ? '' : ` using ${method}`}`;
        })
        .sort(),
      foreignKeys: foreignKeysOf(t.foreignKeys),
      checks: t.checks.map((c) => `${c.name}: ${renderSql(c.value)}`).sort(),
    });
  }
  return shapes;
}

/** Integers that hold epoch milliseconds outgrow PostgreSQL's 4-byte integer: they must be bigint. */
const holdsMilliseconds = (name: string) => name === 'at' || name.endsWith('_at') || name.endsWith('_until');

/** Every difference between the two declarations, each naming the owner, table and column. */
function differences(owner: string, sqlite: Map<string, TableShape>, pg: Map<string, TableShape>): string[] {
  const problems: string[] = [];
  const list = (values: Iterable<string>) => [...values].sort().join(', ') || '(none)';
  for (const table of sqlite.keys()) if (!pg.has(table)) problems.push(`${owner}: table ${table} is missing from the PostgreSQL schema`);
  for (const table of pg.keys()) if (!sqlite.has(table)) problems.push(`${owner}: table ${table} is missing from the SQLite schema`);

  for (const [table, s] of sqlite) {
    const p = pg.get(table);
    if (!p) continue;
    const at = `${owner}.${table}`;
    if (s.exportName !== p.exportName) problems.push(`${at}: exported as ${s.exportName} (SQLite) but ${p.exportName} (PostgreSQL)`);
    for (const column of s.columns.keys()) if (!p.columns.has(column)) problems.push(`${at}.${column}: column missing from the PostgreSQL table`);
    for (const column of p.columns.keys()) if (!s.columns.has(column)) problems.push(`${at}.${column}: column missing from the SQLite table`);
    for (const [column, sc] of s.columns) {
      const pc = p.columns.get(column);
      if (!pc) continue;
      const here = `${at}.${column}`;
      if (sc.kind.startsWith('?') || pc.kind.startsWith('?') || sc.kind !== pc.kind) {
        problems.push(`${here}: type ${sc.columnType} (SQLite) does not match ${pc.columnType} (PostgreSQL)`);
      }
      if (sc.kind === 'integer' && holdsMilliseconds(column) && pc.columnType !== 'PgBigInt53') {
        problems.push(`${here}: holds epoch milliseconds, so PostgreSQL needs bigint({ mode: 'number' }), not ${pc.columnType}`);
      }
      if (sc.notNull !== pc.notNull) problems.push(`${here}: notNull ${sc.notNull} (SQLite) vs ${pc.notNull} (PostgreSQL)`);
      if (sc.autoNumbered !== pc.autoNumbered) {
        problems.push(`${here}: auto-numbered ${sc.autoNumbered} (SQLite INTEGER PRIMARY KEY) vs ${pc.autoNumbered} (PostgreSQL identity)`);
      }
      if (sc.default !== pc.default) problems.push(`${here}: default ${sc.default} (SQLite) vs ${pc.default} (PostgreSQL)`);
      if (sc.enumValues !== pc.enumValues) problems.push(`${here}: enum ${sc.enumValues} (SQLite) vs ${pc.enumValues} (PostgreSQL)`);
    }
    if (s.primaryKey !== p.primaryKey) problems.push(`${at}: primary key ${s.primaryKey} (SQLite) vs ${p.primaryKey} (PostgreSQL)`);
    for (const [what, sv, pv] of [
      ['unique constraints', s.uniques, p.uniques],
      ['indexes', s.indexes, p.indexes],
      ['foreign keys', s.foreignKeys, p.foreignKeys],
      ['checks', s.checks, p.checks],
    ] as const) {
      const onlySqlite = sv.filter((v) => !pv.includes(v));
      const onlyPg = pv.filter((v) => !sv.includes(v));
      if (onlySqlite.length > 0 || onlyPg.length > 0) {
        problems.push(`${at}: ${what} differ; only in SQLite: ${list(onlySqlite)}; only in PostgreSQL: ${list(onlyPg)}`);
      }
    }
  }
  return problems;
}

describe('SQLite and PostgreSQL declarations describe the same tables', () => {
  it('finds the kernel and every module, each with both files', () => {
    expect(pairs.length).toBeGreaterThan(1);
    const missing = pairs.flatMap((p) => [p.sqlite, p.pg].filter((file) => !existsSync(file)).map((file) => `${p.owner}: ${file} is missing`));
    expect(missing).toEqual([]);
  });

  it.each(pairs)('$owner', async ({ owner, sqlite, pg }) => {
    const sqliteExports = (await import(sqlite)) as Record<string, unknown>;
    const pgExports = (await import(pg)) as Record<string, unknown>;
    const sqliteTables = sqliteShapes(sqliteExports);
    const pgTables = pgShapes(pgExports);
    expect(sqliteTables.size, `${owner}: schema.ts declares no table`).toBeGreaterThan(0);
    expect(differences(owner, sqliteTables, pgTables)).toEqual([]);
  });

  it('notices a difference, naming the module, table and column', () => {
    const column: ColumnShape = { kind: 'integer', columnType: 'SQLiteInteger', notNull: true, autoNumbered: false, default: '(none)', enumValues: 'null' };
    const shape = (columns: Array<[string, ColumnShape]>): Map<string, TableShape> =>
      new Map([['t', { exportName: 't', columns: new Map(columns), primaryKey: '(none)', uniques: [], indexes: [], foreignKeys: [], checks: [] }]]);
    const sqlite = shape([['n', column], ['locked_until', column]]);
    const pg = shape([['locked_until', { ...column, columnType: 'PgInteger' }]]);
    expect(differences('m', sqlite, pg)).toEqual([
      'm.t.n: column missing from the PostgreSQL table',
      "m.t.locked_until: holds epoch milliseconds, so PostgreSQL needs bigint({ mode: 'number' }), not PgInteger",
    ]);
  });
});
