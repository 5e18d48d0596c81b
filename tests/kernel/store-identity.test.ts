import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { countOf } from '../support/db.ts';
import { engineEnv, openTestModuleDb, TEST_ENGINE } from '../support/engine.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';

/**
 * A module store carries an identity made with it (store-identity.ts): what a split process
 * announces over NATS so that a process holding the module in another store refuses to start
 * (tests/transport/split-brain.test.ts). It must be the store's, not the process's: the same on
 * every reopen and in every process sharing the store, and another store's is another.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const open: ModuleDb[] = [];
async function openStore(dataDir: string): Promise<ModuleDb> {
  const db = await openTestModuleDb(dataDir, 'ledger', RECORDS_MIGRATIONS);
  open.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
});

describe(`store identity (${TEST_ENGINE})`, () => {
  it('is a random UUID made with the store and read back unchanged on every reopen', async () => {
    const dataDir = tempDataDir();
    const first = await openStore(dataDir);
    expect(first.identity).toMatch(UUID);
    const id = first.identity;
    await first.close();

    const again = await openStore(dataDir);
    expect(again.identity).toBe(id);
    expect(await countOf(again, sql`SELECT count(*) AS n FROM kernel_store_identity`)).toBe(1);
  });

  it('is one id for every opener sharing the store, even opening at once (replicas starting together)', async () => {
    const dataDir = tempDataDir();
    await engineEnv(dataDir); // on PostgreSQL: one database for the data dir before the openers race
    const replicas = await Promise.all([openStore(dataDir), openStore(dataDir), openStore(dataDir)]);
    expect(new Set(replicas.map((r) => r.identity)).size).toBe(1);
    expect(await countOf(replicas[0], sql`SELECT count(*) AS n FROM kernel_store_identity`)).toBe(1);
  });

  it('differs between two stores of the same module', async () => {
    const [a, b] = [await openStore(tempDataDir()), await openStore(tempDataDir())];
    expect(a.identity).toMatch(UUID);
    expect(b.identity).toMatch(UUID);
    expect(a.identity).not.toBe(b.identity);
  });
});
