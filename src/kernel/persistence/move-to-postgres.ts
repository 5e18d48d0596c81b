import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { migrationFolders } from './database.ts';
import * as kernelPostgres from './kernel-schema.pg.ts';
import * as kernelSqlite from './kernel-schema.ts';
import { MoveRefused } from './move-refused.ts';
import { connect, schemaOf, serverOf } from './postgres-connect.ts';
import { moduleLockKey } from './postgres-db.ts';
import { migratePostgres } from './postgres-migrate.ts';
import { batchSize, insertRows, occupiedTables, readBack, renumber, type Session } from './postgres-target.ts';
import { checksumMismatch, TableChecksum } from './row-checksum.ts';
import { quoteIdentifier } from './sql-pieces.ts';
import { SqliteSource } from './sqlite-source.ts';
import { readValue, tablePairs, writeValue, type TableDeclarations, type TablePair } from './table-pairs.ts';

/** A module whose SQLite file is to be copied: its name, migrations folder and tables (from its definition). */
export interface ModuleToMove {
  name: string;
  migrations: string;
  tables: TableDeclarations;
}

export interface MoveOptions {
  /** The PostgreSQL database to copy into; each module goes to the schema named after it. */
  url: string;
  /** Where the modules' SQLite files are (the shop's DATA_DIR). */
  dataDir: string;
  /** Told as each module has been copied, verified and committed. */
  moved?: (module: ModuleMoved) => void;
}

export interface ModuleMoved {
  module: string;
  schema: string;
  tables: number;
  rows: number;
  seconds: number;
}

/** Every module's database also holds the kernel's tables (outbox, inbox): they move with it. */
const KERNEL_TABLES: TableDeclarations = { sqlite: kernelSqlite, postgres: kernelPostgres };

interface Plan extends ModuleToMove {
  schema: string;
  pairs: TablePair[];
  folders: { sqlite: { kernel: string; module: string }; postgres: { kernel: string; module: string } };
}

/**
 * Copies modules' SQLite files into PostgreSQL, one schema per module, as the shop would have
 * written them there. First every module is checked (its file, its target schema), so a refusal
 * leaves everything as it was. Then each module in turn: its schema is migrated by the shop's own
 * migrator, and its rows are copied, its sequences renumbered and every table verified (row count
 * and checksum read back) in ONE transaction, committed only if all of it matches.
 */
export async function moveToPostgres(modules: ModuleToMove[], options: MoveOptions): Promise<ModuleMoved[]> {
  const plans = modules.map(
    (m): Plan => ({
      ...m,
      schema: schemaOf(m.name),
      pairs: tablePairs(m.name, [KERNEL_TABLES, m.tables]),
      folders: { sqlite: migrationFolders(m.migrations, 'sqlite'), postgres: migrationFolders(m.migrations, 'postgres') },
    }),
  );
  await refuseUnlessReady(plans, options);
  const moved: ModuleMoved[] = [];
  for (const plan of plans) {
    const done = await moveModule(plan, options);
    moved.push(done);
    options.moved?.(done);
  }
  return moved;
}

/** Every problem with every module at once (missing files, occupied schemas), before anything is written. */
async function refuseUnlessReady(plans: Plan[], { url, dataDir }: MoveOptions): Promise<void> {
  const problems: string[] = [];
  if (!existsSync(dataDir)) problems.push(`there is no directory ${resolve(dataDir)}: point --data-dir (or DATA_DIR) at the directory the shop ran with`);
  for (const plan of existsSync(dataDir) ? plans : []) {
    try {
      SqliteSource.open(dataDir, plan.name, plan.folders.sqlite, plan.pairs).close();
    } catch (err) {
      if (!(err instanceof MoveRefused)) throw err;
      problems.push(err.message);
    }
  }
  const occupied: Plan[] = [];
  const client = connect({ url, poolSize: 1 }, 'public', 'db-move');
  try {
    for (const plan of plans) {
      const tables = await occupiedTables(client, plan.schema);
      if (tables.length > 0) {
        problems.push(occupiedMessage(plan, tables));
        occupied.push(plan);
      }
    }
  } catch (err) {
    problems.push(`PostgreSQL at ${serverOf(url)} could not be read: ${(err as Error).message}. Check the URL, and that the database exists (CREATE DATABASE shop TEMPLATE template0 LOCALE 'C.UTF-8').`);
  } finally {
    await client.end({ timeout: 5 });
  }
  if (problems.length === 0) return;
  const advice = occupied.length === 0 ? '' : `\n${OCCUPIED_ADVICE} (DROP SCHEMA ${occupied.map((p) => quoteIdentifier(p.schema)).join(', ')} CASCADE;)`;
  throw new MoveRefused(`Nothing was moved:\n- ${problems.join('\n- ')}${advice}`);
}

const OCCUPIED_ADVICE =
  'db:move only copies into empty schemas, so it never overwrites or mixes data: move into another, empty database, ' +
  'or, if the data already there is not needed, drop those schemas and run it again';

/** Names the module, its schema and each table holding rows, with the count. */
function occupiedMessage(plan: Plan, tables: Array<{ table: string; rows: number }>): string {
  const counts = tables.map((o) => `${o.table} has ${o.rows} row${o.rows === 1 ? '' : 's'}`).join(', ');
  return `${plan.name}: schema "${plan.schema}" already holds data: ${counts}`;
}

async function moveModule(plan: Plan, { url, dataDir }: MoveOptions): Promise<ModuleMoved> {
  const started = performance.now();
  await migratePostgres({ url, poolSize: 1 }, plan.schema, plan.name, plan.folders.postgres);
  const source = SqliteSource.open(dataDir, plan.name, plan.folders.sqlite, plan.pairs);
  const client = connect({ url, poolSize: 1 }, plan.schema, plan.name, { connection: { application_name: 'cleave:db-move' } });
  let rows = 0;
  try {
    await client.begin(async (tx) => {
      // The lock the shop's write transactions take: a shop started on the schema too early cannot write into it meanwhile.
      await tx`SELECT pg_advisory_xact_lock(hashtext(${moduleLockKey(plan.schema)}))`;
      // The migrator gave the new schema an identity of its own; the store keeps the one it had in
      // SQLite, copied with the rest, so processes still on the old store are told apart from it
      // no differently than before (a refusal below rolls this back too).
      await tx.unsafe('DELETE FROM kernel_store_identity');
      const occupied = await occupiedTables(tx, plan.schema);
      if (occupied.length > 0) throw new MoveRefused(`${occupiedMessage(plan, occupied)} (written since the check began). ${OCCUPIED_ADVICE}.`);
      const copied = new Map<string, TableChecksum>();
      for (const pair of plan.pairs) copied.set(pair.name, await copyTable(plan, source, tx, pair));
      await renumber(tx, plan.schema, source.lastNumbers());
      for (const pair of plan.pairs) rows += await verifyTable(plan, tx, pair, copied.get(pair.name)!);
    });
  } finally {
    source.close();
    await client.end({ timeout: 5 });
  }
  return { module: plan.name, schema: plan.schema, tables: plan.pairs.length, rows, seconds: (performance.now() - started) / 1000 };
}

/** Copies one table in multi-row INSERTs; returns the checksum of what it read. */
async function copyTable(plan: Plan, source: SqliteSource, tx: Session, pair: TablePair): Promise<TableChecksum> {
  const read = new TableChecksum();
  const size = batchSize(pair);
  let batch: unknown[][] = [];
  try {
    for (const stored of source.rows(pair)) {
      const values = pair.columns.map((c, i) => readValue(c.sqlite, stored[i]));
      read.add(values);
      batch.push(pair.columns.map((c, i) => writeValue(c.postgres, values[i])));
      if (batch.length === size) {
        await insertRows(tx, pair, batch);
        batch = [];
      }
    }
    await insertRows(tx, pair, batch);
  } catch (err) {
    throw new Error(`${plan.name}: copying table ${pair.name} failed, so nothing of ${plan.name} was kept in PostgreSQL: ${(err as Error).message}`, { cause: err });
  }
  return read;
}

/** Reads a copied table back and compares it with what was read from SQLite; returns its row count. */
async function verifyTable(plan: Plan, tx: Session, pair: TablePair, read: TableChecksum): Promise<number> {
  const back = new TableChecksum();
  await readBack(tx, pair, (values) => back.add(values));
  const mismatch = checksumMismatch(pair.name, read, back);
  if (mismatch) throw new MoveRefused(`${plan.name}: the copy does not match its source, so nothing of ${plan.name} was kept in PostgreSQL: ${mismatch}`);
  return back.rows;
}
