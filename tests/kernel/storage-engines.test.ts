import { eq, sql } from 'drizzle-orm';
import { integer as pgInteger, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { integer as liteInteger, sqliteTable, text as liteText } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, event } from '../../src/kernel/contract.ts';
import { Outbox } from '../../src/kernel/events/outbox.ts';
import { param, prepared } from '../../src/kernel/persistence/prepared.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { openTestModuleDb, TEST_ENGINE } from '../support/engine.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';

/**
 * The contract every store is written against, proven on the run's engine (SQLite, or
 * PostgreSQL with CLEAVE_TEST_ENGINE=postgres): outside a transaction the module's database only
 * reads; a transaction is all or nothing, its outbox rows included, and invisible until it
 * commits; the module's transactions run one at a time, so a read-check-write inside one holds;
 * a nested transaction joins the one open; afterCommit hooks run once it has committed.
 */
const contract = defineContract('vault', {}, { deposited: event(1, z.object({ id: z.string() })) });

/** The records fixture's table, declared for both engines as a module's tables.ts does. */
const schemas = {
  postgres: { records: pgTable('records', { seq: pgInteger('seq'), id: pgText('id').notNull(), value: pgText('value').notNull() }) },
  sqlite: { records: sqliteTable('records', { seq: liteInteger('seq'), id: liteText('id').notNull(), value: liteText('value').notNull() }) },
};

let db: ModuleDb;
/** How often the outbox was told that a transaction which published has committed. */
let commitsWithEvents: number;

beforeEach(async () => {
  commitsWithEvents = 0;
  db = await openTestModuleDb(tempDataDir('cleave-engine-'), 'vault', RECORDS_MIGRATIONS, new Outbox(contract, () => commitsWithEvents++));
});
afterEach(() => db.close());

const records = async () => (await db.rows<{ id: string; value: string }>(sql`SELECT id, value FROM records ORDER BY seq`)).map((r) => `${r.id}=${r.value}`);
const outboxRows = async () => Number((await db.rows<{ n: number }>(sql`SELECT count(*) AS n FROM kernel_outbox`))[0].n);
const insert = (id: string, value = 'x') => sql`INSERT INTO records (id, value) VALUES (${id}, ${value})`;

/** The messages of an error and of its causes (drizzle wraps the driver's error in its own). */
async function refusal(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt();
  } catch (err) {
    const messages: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(' <- ');
  }
  throw new Error('expected the attempt to be refused, and it succeeded');
}

describe(`storage engine contract (${TEST_ENGINE})`, () => {
  it('runs a prepared query inside and outside transactions, each on its own connection, with fresh values', async () => {
    const t = db.tables(schemas);
    const byId = prepared('records_by_id', (d) => d.select({ value: t.records.value }).from(t.records).where(eq(t.records.id, param('id'))));
    const add = prepared('records_add', (d) => d.insert(t.records).values({ id: param('id'), value: param('value') }).returning({ id: t.records.id }));
    await db.transaction(async (tx) => {
      expect(await add(tx, { id: 'a', value: '1' })).toEqual([{ id: 'a' }]);
      expect(await byId(tx, { id: 'a' })).toEqual([{ value: '1' }]);
      // Outside the open transaction nothing is seen yet.
      expect(await byId(db, { id: 'a' })).toEqual([]);
    });
    await db.transaction((tx) => add(tx, { id: 'b', value: '2' }));
    expect(await byId(db, { id: 'a' })).toEqual([{ value: '1' }]);
    expect(await byId(db, { id: 'b' })).toEqual([{ value: '2' }]);
    expect(await refusal(() => add(db, { id: 'c', value: '3' }))).toMatch(/read.?only/i);
  });

  it('refuses every write outside a transaction, raw or built, and writes nothing', async () => {
    const t = db.tables(schemas);
    // RETURNING: rows() runs statements that return rows (on SQLite a bare INSERT is refused for that alone).
    expect(await refusal(() => db.rows(sql`INSERT INTO records (id, value) VALUES ('raw', 'x') RETURNING seq`))).toMatch(/read.?only/i);
    expect(await refusal(() => db.sql.insert(t.records).values({ id: 'built', value: 'x' }))).toMatch(/read.?only/i);
    expect(await refusal(() => db.sql.update(t.records).set({ value: 'y' }))).toMatch(/read.?only/i);
    expect(await refusal(() => db.rows(sql`DELETE FROM kernel_outbox RETURNING seq`))).toMatch(/read.?only/i);
    expect(await records()).toEqual([]);
    // The same statements inside a transaction are fine.
    await db.transaction(async (tx) => {
      await tx.changed(insert('raw'));
      await tx.sql.insert(tx.tables(schemas).records).values({ id: 'built', value: 'x' });
    });
    expect(await records()).toEqual(['raw=x', 'built=x']);
  });

  it("keeps a transaction's writes invisible to reads outside it until it commits", async () => {
    let seenInside: string[] = [];
    let seenOutside: string[] = [];
    let outboxOutside = -1;
    await db.transaction(async (tx) => {
      await tx.changed(insert('pending'));
      await tx.publish(contract.events.deposited, { id: 'pending' });
      seenInside = (await tx.rows<{ id: string }>(sql`SELECT id FROM records`)).map((r) => r.id);
      seenOutside = (await db.rows<{ id: string }>(sql`SELECT id FROM records`)).map((r) => r.id);
      outboxOutside = await outboxRows();
    });
    expect(seenInside).toEqual(['pending']);
    expect(seenOutside).toEqual([]);
    expect(outboxOutside).toBe(0);
    expect(await records()).toEqual(['pending=x']);
    expect(await outboxRows()).toBe(1);
    expect(commitsWithEvents).toBe(1);
  });

  it('rolls back every write of a transaction that throws, its outbox row included, and publishes nothing', async () => {
    const failing = db.transaction(async (tx) => {
      await tx.changed(insert('doomed'));
      await tx.publish(contract.events.deposited, { id: 'doomed' });
      await tx.changed(sql`UPDATE records SET value = 'changed' WHERE id = 'doomed'`);
      throw new Error('the vault jammed');
    });
    await expect(failing).rejects.toThrow('the vault jammed');
    expect(await records()).toEqual([]);
    expect(await outboxRows()).toBe(0);
    expect(commitsWithEvents).toBe(0);
    // A failing statement rolls back the same way, and the database carries on.
    await expect(
      db.transaction(async (tx) => {
        await tx.changed(insert('first'));
        await tx.changed(insert('first')); // breaks the unique id
      }),
    ).rejects.toThrow();
    expect(await records()).toEqual([]);
    await db.transaction((tx) => tx.changed(insert('after')));
    expect(await records()).toEqual(['after=x']);
  });

  it('runs concurrent transactions of the module one after the other: a read-check-write inside one holds', async () => {
    const LIMIT = 10;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          const [{ n }] = await tx.rows<{ n: number }>(sql`SELECT count(*) AS n FROM records`);
          // Widens the window between the check and the write: any other transaction let in now would break the limit.
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (Number(n) >= LIMIT) return false;
          await tx.changed(insert(`slot-${i}`, String(Number(n) + 1)));
          return true;
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(LIMIT);
    const rows = await db.rows<{ value: string }>(sql`SELECT value FROM records ORDER BY seq`);
    expect(rows.map((r) => Number(r.value))).toEqual(Array.from({ length: LIMIT }, (_, i) => i + 1));
  });

  it('starts the next transaction only once the one before it has ended (the module\'s write lock, across every process on PostgreSQL)', async () => {
    const log: string[] = [];
    const tx = (name: string) =>
      db.transaction(async (t) => {
        log.push(`${name} begins`);
        await t.changed(insert(name));
        await new Promise((resolve) => setTimeout(resolve, 10));
        log.push(`${name} ends`);
      });
    await Promise.all([tx('a'), tx('b'), tx('c')]);
    const order = log.filter((l) => l.endsWith('begins')).map((l) => l.split(' ')[0]);
    expect([...order].sort()).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(order.flatMap((name) => [`${name} begins`, `${name} ends`]));
  });

  it('commits or fails concurrent transactions each on its own: a failing one takes nothing of the others with it', async () => {
    const hooks: string[] = [];
    /** What a read outside any transaction saw when each transaction was told it committed. */
    const seenWhenTold = new Map<string, string[]>();
    const attempt = (id: string, fail?: 'throws' | 'breaks a constraint') =>
      db
        .transaction(async (tx) => {
          await tx.changed(insert(id));
          await tx.publish(contract.events.deposited, { id });
          tx.afterCommit(() => hooks.push(id));
          // Lets the others queue up behind this one.
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (fail === 'throws') throw new Error(`${id} failed`);
          if (fail === 'breaks a constraint') await tx.changed(insert(id)); // the id is unique
        })
        .then(async () => {
          seenWhenTold.set(id, await records());
          return 'committed';
        }, (err: Error) => err.message);
    const outcomes = await Promise.all([attempt('a'), attempt('b', 'throws'), attempt('c'), attempt('d', 'breaks a constraint'), attempt('e')]);
    expect(outcomes[0]).toBe('committed');
    expect(outcomes[1]).toBe('b failed');
    expect(outcomes[2]).toBe('committed');
    expect(outcomes[3]).not.toBe('committed');
    expect(outcomes[4]).toBe('committed');
    // In whatever order they committed (on PostgreSQL, the order they took the write lock in).
    expect((await records()).sort()).toEqual(['a=x', 'c=x', 'e=x']);
    expect(await outboxRows()).toBe(3);
    expect(hooks.sort()).toEqual(['a', 'c', 'e']);
    // No transaction heard it had committed before its writes were there for everyone to read.
    for (const id of ['a', 'c', 'e']) expect(seenWhenTold.get(id)).toContain(`${id}=x`);
  });

  it('loses no update when concurrent transactions read and then write the same row', async () => {
    await db.transaction((tx) => tx.changed(insert('counter', '0')));
    const bump = () =>
      db.transaction(async (tx) => {
        const [{ value }] = await tx.rows<{ value: string }>(sql`SELECT value FROM records WHERE id = 'counter'`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await tx.changed(sql`UPDATE records SET value = ${String(Number(value) + 1)} WHERE id = 'counter'`);
      });
    await Promise.all(Array.from({ length: 8 }, bump));
    const [{ value }] = await db.rows<{ value: string }>(sql`SELECT value FROM records WHERE id = 'counter'`);
    expect(Number(value)).toBe(8);
  });

  it('joins the open transaction when a transaction is nested in it: one commit, or one rollback for both', async () => {
    await db.transaction(async (outer) => {
      await outer.changed(insert('outer'));
      await outer.transaction(async (inner) => {
        expect(inner).toBe(outer);
        expect((await inner.rows<{ id: string }>(sql`SELECT id FROM records`)).map((r) => r.id)).toEqual(['outer']);
        await inner.changed(insert('inner'));
      });
      expect(await records()).toEqual([]); // nothing committed on leaving the nested one
    });
    expect(await records()).toEqual(['outer=x', 'inner=x']);

    await expect(
      db.transaction(async (outer) => {
        await outer.transaction((inner) => inner.changed(insert('inner-2')));
        throw new Error('the outer one fails after the nested one finished');
      }),
    ).rejects.toThrow('outer one fails');
    expect(await records()).toEqual(['outer=x', 'inner=x']);
  });

  it('runs afterCommit hooks once the transaction has committed, never when it rolls back', async () => {
    const ran: string[] = [];
    let seenByHook: Promise<string[]> | undefined;
    await db.transaction(async (tx) => {
      await tx.changed(insert('hooked'));
      tx.afterCommit(() => {
        ran.push('outer hook');
        seenByHook = records(); // what a read outside the transaction sees when the hook runs
      });
      await tx.transaction(async (nested) => nested.afterCommit(() => ran.push('nested hook')));
      expect(ran).toEqual([]); // still open
    });
    expect(ran).toEqual(['outer hook', 'nested hook']);
    expect(await seenByHook).toEqual(['hooked=x']);

    await expect(
      db.transaction(async (tx) => {
        tx.afterCommit(() => ran.push('rolled back hook'));
        await tx.changed(insert('rolled-back'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(ran).toEqual(['outer hook', 'nested hook']);
  });
});
