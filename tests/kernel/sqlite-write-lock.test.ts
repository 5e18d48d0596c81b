import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import type { SqliteModuleDb } from '../../src/kernel/persistence/sqlite-db.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';

/**
 * The embedded engine's write lock (write-lock.ts): a module's transactions run one at a time on
 * its writer connection. A transaction opened inside another, instead of joining it through `tx`,
 * would wait for itself for ever, and every write of the module behind it: the lock gives up after
 * 30 s with a message that names the mistake. A read outside a transaction that finds the writer
 * in one waits for it to end and runs on the writer (sqlite-db.ts, `readOutside`). (SQLite only:
 * PostgreSQL's lock_timeout plays the lock's part there, and its reads run on the pool, so this
 * file is not in vitest.config.ts's ON_BOTH_ENGINES.)
 */
let db: ModuleDb;

beforeEach(async () => {
  db = await openTestModuleDb(tempDataDir('cleave-write-lock-'), 'vault', RECORDS_MIGRATIONS);
});
afterEach(() => db.close());

const records = async () => (await db.rows<{ id: string }>(sql`SELECT id FROM records ORDER BY seq`)).map((r) => r.id);
const insert = (id: string) => sql`INSERT INTO records (id, value) VALUES (${id}, 'x')`;

describe('SQLite write lock', () => {
  it('fails a transaction opened inside another after 30 s with a message that says so, and the module writes again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    let outcome: Promise<string>;
    try {
      const outer = db.transaction(async (tx) => {
        await tx.changed(insert('outer'));
        // The mistake: a store method called without the open `tx` opens a transaction of its own.
        await db.transaction((inner) => inner.changed(insert('inner')));
      });
      outcome = outer.then(
        () => 'committed',
        (err: Error) => err.message,
      );
      await vi.advanceTimersByTimeAsync(29_000);
      expect(await Promise.race([outcome, Promise.resolve('still waiting')])).toBe('still waiting');
      await vi.advanceTimersByTimeAsync(2_000);
    } finally {
      vi.useRealTimers();
    }
    expect(await outcome).toMatch(/waited 30 s for vault's database: .*opened inside another \(pass the open transaction, `tx`/);
    // The outer transaction failed with it: nothing of either was written, and the lock is free.
    expect(await records()).toEqual([]);
    await db.transaction((tx) => tx.changed(insert('after')));
    expect(await records()).toEqual(['after']);
  });
});

describe('SQLite reads outside a transaction while one holds the writer', () => {
  it("wait for it to end and run on the writer's warm cache, not on the read-only connection", async () => {
    const readOnly = vi.spyOn((db as SqliteModuleDb).reader, 'prepare');
    let during: Promise<string[]> | undefined;
    await db.transaction(async (tx) => {
      await tx.changed(insert('a'));
      during = records();
      await tx.changed(insert('b'));
    });
    // It ran once the transaction had committed: it sees all of it, and only committed data.
    expect(await during).toEqual(['a', 'b']);
    expect(readOnly).not.toHaveBeenCalled();
  });

  it('run after a rollback too, on the writer, seeing nothing of the transaction', async () => {
    const readOnly = vi.spyOn((db as SqliteModuleDb).reader, 'prepare');
    let during: Promise<string[]> | undefined;
    await expect(
      db.transaction(async (tx) => {
        await tx.changed(insert('gone'));
        during = records();
        throw new Error('changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(await during).toEqual([]);
    expect(readOnly).not.toHaveBeenCalled();
  });

  it('inside a transaction not given its tx, answer a turn later from the last committed state instead of waiting for themselves', async () => {
    await db.transaction((tx) => tx.changed(insert('before')));
    const seen = await db.transaction(async (tx) => {
      await tx.changed(insert('inside'));
      // The mistake: a store method called without the open `tx` reads outside the transaction.
      return records();
    });
    expect(seen).toEqual(['before']);
    expect(await records()).toEqual(['before', 'inside']);
  });
});
