import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { ConfigError } from '../config-error.ts';
import { PostgresModuleDb } from './postgres-db.ts';
import type { ModuleDb, OutboxWriter } from './sql.ts';
import { SqliteModuleDb } from './sqlite-db.ts';

const KERNEL_MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

/** The name of the variable that puts one module on its own PostgreSQL server. */
export function moduleDatabaseVariable(module: string): string {
  return `DATABASE_URL_${module.toUpperCase().replaceAll('-', '_')}`;
}

/** Where a module's data lives: its own PostgreSQL URL, the process's, or none (SQLite in DATA_DIR). */
function databaseUrlOf(config: Config, module: string): string | undefined {
  return config.database.perModule[moduleDatabaseVariable(module).slice('DATABASE_URL_'.length)] ?? config.database.url;
}

/** Every DATABASE_URL_<MODULE> must name a module: a typo would otherwise leave the module on SQLite unseen. */
export function checkModuleDatabases(config: Config, modules: string[]): void {
  const known = new Map(modules.map((m) => [moduleDatabaseVariable(m).slice('DATABASE_URL_'.length), m]));
  for (const suffix of Object.keys(config.database.perModule)) {
    if (!known.has(suffix)) {
      throw new ConfigError(`DATABASE_URL_${suffix} names no module; the modules are ${modules.map(moduleDatabaseVariable).join(', ')}`);
    }
  }
}

/** The migration folders of a module on one engine: the kernel's tables (outbox, inbox) and the module's own. */
export function migrationFolders(migrations: string, engine: 'sqlite' | 'postgres'): { kernel: string; module: string } {
  return { kernel: join(KERNEL_MIGRATIONS, engine), module: join(migrations, engine) };
}

/**
 * Opens one module's database, for that module alone, and brings it up to date: the kernel's
 * tables (outbox, inbox, the store's identity) first, then the module's own migrations, each from the engine's folder
 * (`<migrations>/sqlite` or `<migrations>/postgres`).
 */
export async function openModuleDb(config: Config, module: string, migrations: string, outbox: OutboxWriter): Promise<ModuleDb> {
  const url = databaseUrlOf(config, module);
  if (url) return PostgresModuleDb.open({ url, poolSize: config.database.poolSize }, module, migrationFolders(migrations, 'postgres'), outbox);
  return SqliteModuleDb.open(config.dataDir, module, migrationFolders(migrations, 'sqlite'), outbox);
}
