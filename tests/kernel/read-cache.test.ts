import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openModuleDatabase, type ModuleDatabase } from '../../src/kernel/persistence/database.ts';
import { ReadCache } from '../../src/kernel/persistence/read-cache.ts';
import { fileURLToPath } from 'node:url';
import { tempDataDir } from '../../tools/temp-dirs.ts';

const MIGRATIONS = fileURLToPath(new URL('../fixtures/kernel-modules/records', import.meta.url));

let database: ModuleDatabase;
let cache: ReadCache<{ value: number }>;
let computed: number;

beforeEach(() => {
  database = openModuleDatabase(tempDataDir('cleave-read-cache-'), 'cached', MIGRATIONS);
  database.sqlite.exec(`CREATE TABLE prices (id TEXT PRIMARY KEY, value INTEGER NOT NULL);
                        CREATE TABLE unrelated (id TEXT PRIMARY KEY);
                        INSERT INTO prices VALUES ('a', 1);`);
  cache = new ReadCache(database.sqlite, { scope: 'prices', tables: ['prices'], maxEntries: 10 });
  computed = 0;
});
afterEach(() => database.sqlite.close());

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Reads through the cache, counting how often the database was really asked. */
function price(id = 'a'): number {
  return cache.get(id, () => {
    computed++;
    return { value: (database.sqlite.prepare('SELECT value FROM prices WHERE id = ?').pluck().get(id) as number | undefined) ?? -1 };
  }).value;
}

describe('ReadCache', () => {
  it('answers a repeated read from memory while nothing changes', () => {
    expect([price(), price(), price()]).toEqual([1, 1, 1]);
    expect(computed).toBe(1);
  });

  it.each([
    ['an update', "UPDATE prices SET value = 2 WHERE id = 'a'", 2],
    ['a delete', "DELETE FROM prices WHERE id = 'a'", -1],
    ['an insert', "INSERT INTO prices VALUES ('b', 5)", 1],
  ])('forgets everything after %s of a watched table', (_what, change, expected) => {
    price();
    database.sqlite.exec(change);
    expect(price()).toBe(expected);
    expect(computed).toBe(2);
  });

  it('sees a change committed by another connection to the same file (a replica) from the next event-loop turn', async () => {
    price();
    const replica = new Database(database.file);
    replica.prepare("UPDATE prices SET value = 7 WHERE id = 'a'").run();
    replica.close();
    await nextTurn();
    expect(price()).toBe(7);
  });

  it('sees its own connection\'s writes within the same turn', () => {
    price();
    database.sqlite.exec("UPDATE prices SET value = 8 WHERE id = 'a'");
    expect(price()).toBe(8);
    database.sqlite.exec("UPDATE prices SET value = 9 WHERE id = 'a'");
    expect(price()).toBe(9);
  });

  it('keeps its answers when an update changes no value', () => {
    price();
    database.sqlite.exec("UPDATE prices SET value = value WHERE id = 'a'");
    price();
    expect(computed).toBe(1);
  });

  it('follows a column a later migration added, once built again (every start)', () => {
    database.sqlite.exec('ALTER TABLE prices ADD COLUMN note TEXT');
    cache = new ReadCache(database.sqlite, { scope: 'prices', tables: ['prices'], maxEntries: 10 });
    price();
    database.sqlite.exec("UPDATE prices SET note = 'on sale' WHERE id = 'a'");
    price();
    expect(computed).toBe(2);
  });

  it('refuses to watch a table the module does not have', () => {
    expect(() => new ReadCache(database.sqlite, { scope: 'prices', tables: ['pricez'], maxEntries: 1 })).toThrow(/no table named pricez/);
  });

  it('keeps its answers when only other tables change', () => {
    price();
    database.sqlite.exec("INSERT INTO unrelated VALUES ('x')");
    price();
    expect(computed).toBe(1);
  });

  it('is bypassed inside a transaction, so a rolled-back write never becomes a cached answer', () => {
    price();
    expect(() =>
      database.sqlite.transaction(() => {
        database.sqlite.exec("UPDATE prices SET value = 99 WHERE id = 'a'");
        expect(price()).toBe(99);
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    // Another change takes the counter to where the rolled-back one had it.
    database.sqlite.exec("UPDATE prices SET value = 3 WHERE id = 'a'");
    expect(price()).toBe(3);
  });

  it('installs its triggers once however many times it is built (restarts, replicas)', () => {
    new ReadCache(database.sqlite, { scope: 'prices', tables: ['prices'], maxEntries: 10 });
    const triggers = database.sqlite.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'kernel_generation_prices_%'").pluck().get();
    expect(triggers).toBe(3);
    price();
    database.sqlite.exec("UPDATE prices SET value = 4 WHERE id = 'a'");
    expect(price()).toBe(4);
  });

  it('answers many keys with one computation for the missing ones, and caches those too', () => {
    database.sqlite.exec("INSERT INTO prices VALUES ('b', 2), ('c', 3)");
    const asked: string[][] = [];
    const many = (ids: string[]) =>
      cache.getMany(ids, (missing) => {
        asked.push(missing);
        const rows = database.sqlite.prepare('SELECT id, value FROM prices WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(missing)) as Array<{ id: string; value: number }>;
        return new Map(rows.map((r) => [r.id, { value: r.value }]));
      });
    expect(price('a')).toBe(1);
    expect([...many(['a', 'b', 'zz'])].map(([id, v]) => [id, v.value])).toEqual([['a', 1], ['b', 2]]);
    expect([...many(['c', 'b'])].map(([id, v]) => [id, v.value])).toEqual([['b', 2], ['c', 3]]);
    expect(asked).toEqual([['b', 'zz'], ['c']]);
    database.sqlite.exec("UPDATE prices SET value = 20 WHERE id = 'b'");
    expect(many(['b']).get('b')?.value).toBe(20);
  });

  it('keeps at most maxEntries answers, dropping the least recently used', () => {
    for (const id of Array.from({ length: 11 }, (_, i) => `k${i}`)) price(id);
    computed = 0;
    price('k10');
    price('k0');
    expect(computed).toBe(1);
  });

  it('computes every answer when switched off (READ_CACHES=false), still frozen', () => {
    const off = new ReadCache<{ value: number }>(database.sqlite, { scope: 'prices_off', tables: ['prices'], maxEntries: 10, enabled: false });
    let reads = 0;
    const read = () => off.get('a', () => ({ value: ++reads }));
    expect([read().value, read().value]).toEqual([1, 2]);
    expect(Object.isFrozen(read())).toBe(true);
    expect(off.getMany(['x'], (missing) => new Map(missing.map((k) => [k, { value: ++reads }]))).get('x')?.value).toBe(4);
  });

  it('refuses names that are not plain identifiers (they are spliced into trigger SQL)', () => {
    expect(() => new ReadCache(database.sqlite, { scope: 'x; DROP TABLE prices', tables: ['prices'], maxEntries: 1 })).toThrow(/identifier/);
  });
});
