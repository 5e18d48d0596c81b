import { fileURLToPath } from 'node:url';
import type { ModuleDefinition } from '../../src/kernel/module.ts';
import { sql } from 'drizzle-orm';
import type { Runtime } from '../../src/kernel/runtime.ts';
import type { Transport } from '../../src/kernel/transport.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { rowsIn } from './db.ts';
import { startTestShop, type TestShop } from './in-process.ts';

/**
 * Throwaway runtimes for the kernel tests: tiny modules defined in the test files, each with its
 * own database made from tests/fixtures/kernel-modules/records (one table, `records`). Started
 * by the in-process starter, HTTP app built but not listening, and remembered so that
 * stopAllRuntimes() can stop what a test left running.
 */
export const RECORDS_MIGRATIONS = fileURLToPath(new URL('../fixtures/kernel-modules/records', import.meta.url));

const started = new Set<Runtime>();

/** Starts a runtime hosting `modules` (all of them unless `hosted` says otherwise), HTTP app built, not listening. */
export async function startRuntime(
  modules: ModuleDefinition[],
  options: { dataDir?: string; env?: Record<string, string>; transport?: Transport; hosted?: string[] } = {},
): Promise<TestShop> {
  const shop = await startTestShop({ ...options, modules, dataDir: options.dataDir ?? tempDataDir('cleave-kernel-'), listen: false });
  started.add(shop.runtime);
  return shop;
}

/** Stops one runtime (idempotent). */
export async function stopRuntime(runtime: Runtime): Promise<void> {
  started.delete(runtime);
  await runtime.stop();
}

/** Stops every runtime a test started and did not stop itself (use in afterEach). */
export async function stopAllRuntimes(): Promise<void> {
  await Promise.all([...started].map((r) => stopRuntime(r)));
}

/** Rows of a module's `records` table, oldest first. */
export function recordsOf(runtime: Runtime, moduleName: string): Promise<Array<{ id: string; value: string }>> {
  return rowsIn<{ id: string; value: string }>({ runtime }, moduleName, sql`SELECT id, value FROM records ORDER BY seq`);
}
