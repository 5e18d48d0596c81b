import { sql, type SQL } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { ReadCache } from '../../src/kernel/persistence/read-cache.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { openTestModuleDb, TEST_ENGINE } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';

/**
 * The read cache on the run's engine: answers kept while the watched tables stand still, all
 * forgotten once they change. This process's own writes are read back at once on both engines.
 * A write committed elsewhere (a replica: another connection to the file, or another pool on the
 * schema) reaches the cache through the engine's signal: on SQLite from the next event-loop turn
 * (the generation counter is read once per turn), on PostgreSQL when the NOTIFY arrives
 * (milliseconds). Tests that wait for such a write allow REPLICA_SIGNAL_MS for it.
 */
const REPLICA_SIGNAL_MS = 2_000;

let dataDir: string;
let database: ModuleDb;
let replica: ModuleDb | undefined;
let cache: ReadCache<{ value: number }>;
let computed: number;

/** Runs one write in a transaction of its own on `on` (the module's database by default). */
const write = (change: SQL, on: ModuleDb = database) => on.transaction((tx) => tx.changed(change));

/** Another process's connection to the same database: the kernel's, as a replica would open it. */
async function openReplica(): Promise<ModuleDb> {
  replica = await openTestModuleDb(dataDir, 'cached', RECORDS_MIGRATIONS);
  return replica;
}

beforeEach(async () => {
  dataDir = tempDataDir('cleave-read-cache-');
  database = await openTestModuleDb(dataDir, 'cached', RECORDS_MIGRATIONS);
  await database.transaction(async (tx) => {
    await tx.changed(sql`CREATE TABLE prices (id TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
    await tx.changed(sql`CREATE TABLE unrelated (id TEXT PRIMARY KEY)`);
    await tx.changed(sql`INSERT INTO prices VALUES ('a', 1)`);
  });
  cache = new ReadCache(database, { scope: 'prices', tables: ['prices'], maxEntries: 10 });
  computed = 0;
});
afterEach(async () => {
  await replica?.close();
  replica = undefined;
  await database.close();
});

/** Reads through the cache, counting how often the database was really asked. */
async function price(id = 'a'): Promise<number> {
  const answer = await cache.get(id, async () => {
    computed++;
    const [row] = await database.rows<{ value: number }>(sql`SELECT value FROM prices WHERE id = ${id}`);
    return { value: row?.value ?? -1 };
  });
  return answer.value;
}

/** Waits until the cache answers `expected`: a replica's write reaches it through the engine's signal. */
const eventuallyPrice = (expected: number, id = 'a') =>
  eventually(() => price(id), (v) => v === expected, { timeoutMs: REPLICA_SIGNAL_MS, intervalMs: 5, what: `the cached price of ${id} to become ${expected}` });

describe('ReadCache', () => {
  it('answers a repeated read from memory while nothing changes', async () => {
    expect([await price(), await price(), await price()]).toEqual([1, 1, 1]);
    expect(computed).toBe(1);
  });

  it.each([
    ['an update', sql`UPDATE prices SET value = 2 WHERE id = 'a'`, 2],
    ['a delete', sql`DELETE FROM prices WHERE id = 'a'`, -1],
    ['an insert', sql`INSERT INTO prices VALUES ('b', 5)`, 1],
  ])('forgets everything at once after %s of a watched table by this process', async (_what, change, expected) => {
    await price();
    await write(change);
    expect(await price()).toBe(expected);
    expect(computed).toBe(2);
  });

  it('sees a change committed by a replica (another connection to the same database)', async () => {
    await price();
    await write(sql`UPDATE prices SET value = 7 WHERE id = 'a'`, await openReplica());
    if (TEST_ENGINE === 'sqlite') {
      // SQLite's counter is read again from the next event-loop turn.
      await new Promise((resolve) => setImmediate(resolve));
      expect(await price()).toBe(7);
    } else {
      await eventuallyPrice(7);
    }
  });

  it("sees its own process's writes at once, one after another", async () => {
    await price();
    await write(sql`UPDATE prices SET value = 8 WHERE id = 'a'`);
    expect(await price()).toBe(8);
    await write(sql`UPDATE prices SET value = 9 WHERE id = 'a'`);
    expect(await price()).toBe(9);
  });

  // Both engines' update triggers compare the row before and after.
  it('keeps its answers when an update changes no value', async () => {
    await price();
    await write(sql`UPDATE prices SET value = value WHERE id = 'a'`);
    expect(await price()).toBe(1);
    expect(computed).toBe(1);
  });

  it('follows a column a later migration added, once built again (every start)', async () => {
    await write(sql`ALTER TABLE prices ADD COLUMN note TEXT`);
    cache = new ReadCache(database, { scope: 'prices', tables: ['prices'], maxEntries: 10 });
    await price();
    // Written by a replica, so only the engine's signal for that column can tell the cache.
    await write(sql`UPDATE prices SET note = 'on sale' WHERE id = 'a'`, await openReplica());
    await eventually(async () => (await price(), computed), (n) => n === 2, { timeoutMs: REPLICA_SIGNAL_MS, intervalMs: 5, what: 'the note change to reach the cache' });
  });

  it('refuses to watch a table the module does not have', async () => {
    const watch = async () => {
      const wrong = new ReadCache(database, { scope: 'prices', tables: ['pricez'], maxEntries: 1 });
      await wrong.get('a', async () => ({ value: 1 }));
    };
    await expect(watch()).rejects.toThrow(/no table named pricez/);
  });

  it('keeps its answers when only other tables change (written by a replica)', async () => {
    // A second cache over `unrelated` is the fence: once it has seen the replica's write, the
    // signal for that write has arrived, so the prices cache has had every chance to drop its answers.
    const fence = new ReadCache<{ n: number }>(database, { scope: 'unrelated', tables: ['unrelated'], maxEntries: 1 });
    let fenceComputed = 0;
    const readFence = () => fence.get('all', async () => ({ n: ++fenceComputed }));
    await readFence();
    await price();
    await write(sql`INSERT INTO unrelated VALUES ('x')`, await openReplica());
    await eventually(readFence, (v) => v.n === 2, { timeoutMs: REPLICA_SIGNAL_MS, intervalMs: 5, what: "the fence cache to see the replica's write" });
    await price();
    expect(computed).toBe(1);
  });

  // SQLite reads its generation counter again; PostgreSQL reads which scopes the transaction's
  // triggers noted before it commits: neither drops answers for a write to another table.
  it("keeps its answers when only other tables change (this process's write)", async () => {
    await price();
    await write(sql`INSERT INTO unrelated VALUES ('x')`);
    await price();
    expect(computed).toBe(1);
  });

  it('serves only committed data: a write inside a transaction that rolls back never becomes an answer', async () => {
    await price();
    await expect(
      database.transaction(async (tx) => {
        await tx.changed(sql`UPDATE prices SET value = 99 WHERE id = 'a'`);
        // Read outside the transaction while it is open: the cache answers the committed price.
        expect(await price()).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await price()).toBe(1);
    // Another change takes the engine's signal where the rolled-back one would have had it.
    await write(sql`UPDATE prices SET value = 3 WHERE id = 'a'`);
    expect(await price()).toBe(3);
  });

  it('installs its triggers once however many times it is built (restarts, replicas)', async () => {
    const again = new ReadCache<{ value: number }>(database, { scope: 'prices', tables: ['prices'], maxEntries: 10 });
    await again.get('warm', async () => ({ value: 0 }));
    const [{ n }] = await database.rows<{ n: number }>(
      TEST_ENGINE === 'postgres'
        ? sql`SELECT count(*) AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace s ON s.oid = c.relnamespace
              WHERE s.nspname = current_schema() AND t.tgname LIKE 'kernel_read_cache_prices_%'`
        : sql`SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'kernel_generation_prices_%'`,
    );
    // SQLite: one per operation (insert, update, delete); PostgreSQL: a statement trigger for
    // insert, delete and truncate, and a row trigger for updates that change a value.
    expect(Number(n)).toBe(TEST_ENGINE === 'postgres' ? 2 : 3);
    await price();
    await write(sql`UPDATE prices SET value = 4 WHERE id = 'a'`);
    expect(await price()).toBe(4);
  });

  it('answers many keys with one computation for the missing ones, and caches those too', async () => {
    await write(sql`INSERT INTO prices VALUES ('b', 2), ('c', 3)`);
    // Built after that write, so that its signal (on PostgreSQL a NOTIFY arriving a little later,
    // for the scope watching then) cannot clear the answers this test counts.
    cache = new ReadCache(database, { scope: 'prices_many', tables: ['prices'], maxEntries: 10 });
    const asked: string[][] = [];
    const many = (ids: string[]) =>
      cache.getMany(ids, async (missing) => {
        asked.push(missing);
        const rows = await database.rows<{ id: string; value: number }>(
          sql`SELECT id, value FROM prices WHERE id IN (${sql.join(
            missing.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        );
        return new Map(rows.map((r) => [r.id, { value: r.value }]));
      });
    expect(await price('a')).toBe(1);
    expect([...(await many(['a', 'b', 'zz']))].map(([id, v]) => [id, v.value])).toEqual([['a', 1], ['b', 2]]);
    expect([...(await many(['c', 'b']))].map(([id, v]) => [id, v.value])).toEqual([['b', 2], ['c', 3]]);
    expect(asked).toEqual([['b', 'zz'], ['c']]);
    await write(sql`UPDATE prices SET value = 20 WHERE id = 'b'`);
    expect((await many(['b'])).get('b')?.value).toBe(20);
  });

  it('keeps at most maxEntries answers, dropping the least recently used', async () => {
    for (const id of Array.from({ length: 11 }, (_, i) => `k${i}`)) await price(id);
    computed = 0;
    await price('k10');
    await price('k0');
    expect(computed).toBe(1);
  });

  it('computes every answer when switched off (READ_CACHES=false), still frozen', async () => {
    const off = new ReadCache<{ value: number }>(database, { scope: 'prices_off', tables: ['prices'], maxEntries: 10, enabled: false });
    let reads = 0;
    const read = () => off.get('a', async () => ({ value: ++reads }));
    expect([(await read()).value, (await read()).value]).toEqual([1, 2]);
    expect(Object.isFrozen(await read())).toBe(true);
    expect((await off.getMany(['x'], async (missing) => new Map(missing.map((k) => [k, { value: ++reads }])))).get('x')?.value).toBe(4);
  });

  it('refuses names that are not plain identifiers (they are spliced into trigger SQL)', () => {
    expect(() => new ReadCache(database, { scope: 'x; DROP TABLE prices', tables: ['prices'], maxEntries: 1 })).toThrow(/identifier/);
  });
});
