import postgres from 'postgres';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineContract } from '../../src/kernel/contract.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { Outbox } from '../../src/kernel/events/outbox.ts';
import { migrationFolders, openModuleDb } from '../../src/kernel/persistence/database.ts';
import { schemaOf } from '../../src/kernel/persistence/postgres-connect.ts';
import { migratePostgres } from '../../src/kernel/persistence/postgres-migrate.ts';
import type { ModuleDb, OutboxWriter } from '../../src/kernel/persistence/sql.ts';
import { testTmpDir } from '../../tools/temp-dirs.ts';
import { testEnv } from './env.ts';

/**
 * Which storage engine the tests of this worker run on: `CLEAVE_TEST_ENGINE=postgres` (set by
 * the `postgres` project in vitest.config.ts) puts every shop a test starts on PostgreSQL, in a
 * database of its own; otherwise SQLite files in the shop's data dir, as `npm start` has them.
 */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.CLEAVE_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** The server tests create their databases on (CI and every development machine run one here). */
export const TEST_POSTGRES_ADMIN_URL = process.env.CLEAVE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Every database this run creates starts with this, so the run's teardown drops exactly its own. */
export function runDatabasePrefix(runDir = testTmpDir()): string {
  return `cleave_t_${basename(runDir).replace(/[^a-z0-9]/gi, '').toLowerCase().slice(-12)}_`;
}

const FILE = '.test-database';

/**
 * The environment that puts a shop on this run's engine. On PostgreSQL: a database for the data
 * dir with every module's schema already migrated (a copy of the run's template), remembered in
 * the data dir, so a restart (or every process of a topology, which share the data dir) finds the
 * same one. PostgreSQL missing is an error, never a skip.
 */
export async function engineEnv(dataDir: string): Promise<Record<string, string>> {
  if (TEST_ENGINE === 'sqlite') return {};
  // Two per module: two test files side by side, each a whole shop (12 modules, their cache
  // listeners, a replica or a split topology), stay under the server's 100 connections; three did not.
  return { DATABASE_URL: await databaseFor(dataDir, { migrated: true }), DATABASE_POOL_SIZE: '2' };
}

/**
 * A database of its own for `dataDir` (created on first use), as a URL: empty, or with `migrated`
 * a copy of the run's template, where every module's schema is already up to date. The kernel
 * still runs its migrations at start (finding nothing to apply) and gives each store its identity,
 * so a shop on a copy starts as on a fresh database, a second faster.
 * Test databases do not wait for the disk at commit (synchronous_commit off): a commit is as
 * visible and as atomic as ever; only a crash of the server itself could lose the last ones, and
 * no test crashes it.
 */
export async function databaseFor(dataDir: string, { migrated = false } = {}): Promise<string> {
  const file = join(dataDir, FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const name = `${runDatabasePrefix()}${Math.random().toString(36).slice(2, 10)}`;
  await withAdmin(async (admin) => {
    const template = migrated ? ` TEMPLATE "${await runTemplate(admin)}"` : '';
    await admin.unsafe(`CREATE DATABASE "${name}"${template}`);
    // Per-database settings are not copied from a template.
    await admin.unsafe(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  });
  writeFileSync(file, urlOf(name));
  return urlOf(name);
}

function urlOf(database: string): string {
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * The run's template database, built by the first worker that asks (the others wait on an
 * advisory lock): every module's schema migrated through the kernel's own migrator, then the
 * stores' identities removed, so each copy is given its own. It is built under another name and
 * renamed when done, so no copy is ever taken of half a template; its name carries the run's
 * prefix, so the run's teardown drops it with the rest.
 */
async function runTemplate(admin: postgres.Sql): Promise<string> {
  const name = `${runDatabasePrefix()}template`;
  const exists = async (): Promise<boolean> => (await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`).length > 0;
  if (await exists()) return name;
  await admin`SELECT pg_advisory_lock(hashtext(${name}))`;
  try {
    if (await exists()) return name;
    const building = `${name}_building`;
    await admin.unsafe(`DROP DATABASE IF EXISTS "${building}"`);
    await admin.unsafe(`CREATE DATABASE "${building}"`);
    const url = urlOf(building);
    // Imported here, not at the top: only the PostgreSQL project needs every module's migrations.
    const { allModules } = await import('../../src/app/modules.ts');
    await Promise.all(
      allModules.map((m) => migratePostgres({ url, poolSize: 1 }, schemaOf(m.contract.name), m.contract.name, migrationFolders(m.migrations, 'postgres'))),
    );
    const db = postgres(url, { max: 1, onnotice: () => {} });
    try {
      for (const m of allModules) await db.unsafe(`DELETE FROM "${schemaOf(m.contract.name)}".kernel_store_identity`);
    } finally {
      await db.end({ timeout: 5 });
    }
    await admin.unsafe(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    return name;
  } finally {
    await admin`SELECT pg_advisory_unlock(hashtext(${name}))`;
  }
}

/** Drops every database this run created (global teardown). */
export async function dropRunDatabases(prefix: string): Promise<void> {
  await withAdmin(async (admin) => {
    const rows = await admin<Array<{ datname: string }>>`SELECT datname FROM pg_database WHERE datname LIKE ${`${prefix}%`}`;
    for (const { datname } of rows) await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

async function withAdmin<T>(work: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(TEST_POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return await work(admin);
  } catch (err) {
    throw new Error(`PostgreSQL at ${new URL(TEST_POSTGRES_ADMIN_URL).host} is needed by the ${TEST_ENGINE} tests: ${(err as Error).message}`, { cause: err });
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/**
 * Opens a module's database on this run's engine outside any runtime (tests of the kernel's
 * parts), through the kernel's own opening path: migrations included. Events published through
 * it go nowhere unless `outbox` says otherwise.
 */
export async function openTestModuleDb(
  dataDir: string,
  module: string,
  migrations: string,
  outbox: OutboxWriter = new Outbox(defineContract(module, {}, {}), () => {}),
): Promise<ModuleDb> {
  const config = loadConfig(testEnv(dataDir, await engineEnv(dataDir)));
  return openModuleDb(config, module, migrations, outbox);
}
