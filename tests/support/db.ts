import type { SQL } from 'drizzle-orm';
import type { Executor, ModuleDb } from '../../src/kernel/persistence/sql.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { Kernel } from '../../src/kernel/tokens.ts';

/** Any shop started in this process: the whole shop, or the order modules with their fakes. */
export type Hosting = { runtime: Runtime };

/** A hosted module's own database (white-box tests), whichever engine it is on. */
export function dbOf(shop: Hosting, module: string): ModuleDb {
  return shop.runtime.containerOf(module).get<ModuleDb>(Kernel.Db);
}

/** Rows of a raw query on a hosted module's database (write it in SQL both engines read alike). */
export function rowsIn<T>(shop: Hosting, module: string, query: SQL): Promise<T[]> {
  return dbOf(shop, module).rows<T>(query);
}

/** Runs a raw write on a hosted module's database, in a transaction of its own; says how many rows it changed. */
export function writeIn(shop: Hosting, module: string, query: SQL): Promise<number> {
  return dbOf(shop, module).transaction((tx) => tx.changed(query));
}

/** A `SELECT count(*) AS n ...` as a number on both engines (PostgreSQL's count is int8). */
export async function countOf(on: Pick<Executor, 'rows'>, query: SQL): Promise<number> {
  const [row] = await on.rows<{ n: number | string }>(query);
  return Number(row?.n ?? 0);
}

/** `countOf` on a hosted module's database. */
export function countIn(shop: Hosting, module: string, query: SQL): Promise<number> {
  return countOf(dbOf(shop, module), query);
}
