import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, event, type EventEnvelope } from '../../src/kernel/contract.ts';
import type { HandlerContext } from '../../src/kernel/events/handlers.ts';
import { Inbox } from '../../src/kernel/events/inbox.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';
import { countTransactions, firstClaim, holdClaims } from './inbox-probe.ts';

/**
 * A batch of events larger than the inbox's handler slots, as the relay delivers under load (every
 * event one module committed since its last drain). On SQLite, handlers that only write finish
 * inside the transaction that stores the batch and take no slot: the whole batch is one
 * transaction, however many slots the dispatcher has. On PostgreSQL a handler hears that its
 * writes committed only once the storing transaction has (it may yet be aborted and run again),
 * so each is still running when the batch commits and takes a slot: the rest are claimed after.
 */
const contract = defineContract('ledger', {}, { opened: event(1, z.object({ id: z.string() })) });
const SLOTS = 4;

let database: ModuleDb;
let inbox: Inbox | undefined;

beforeEach(async () => {
  database = await openTestModuleDb(tempDataDir('cleave-inbox-batch-'), 'ledger', RECORDS_MIGRATIONS);
});
afterEach(async () => {
  await inbox?.stop();
  await database.close();
});

/** Only writes: its record and the event's "done" mark commit together. */
const recordOpening = {
  async handle(e: EventEnvelope<{ id: string }>, ctx: HandlerContext) {
    await ctx.commit((tx) => tx.changed(sql`INSERT INTO records (id, value) VALUES (${e.payload.id}, 'opened')`));
  },
};

function openInbox(): Inbox {
  inbox = new Inbox(database, 'ledger', [{ name: 'RecordOpening', event: contract.events.opened, instance: recordOpening as never }], createLogger('silent'), {
    maxAttempts: 5,
    retryBaseMs: 500,
    // No polling: the only transactions are the batch's own and any claim it would leave behind.
    pollMs: 60_000,
    concurrency: SLOTS,
  });
  return inbox;
}

/** Ids recorded by the handler, in the order they were. */
const recorded = async () => (await database.rows<{ id: string }>(sql`SELECT id FROM records ORDER BY seq`)).map((r) => r.id);

const opened = (id: string): EventEnvelope => ({ id: randomUUID(), type: contract.events.opened.type, version: 1, occurredAt: new Date().toISOString(), key: id, payload: { id } });

describe('inbox: a batch larger than the handler slots', () => {
  it('handles every event that only writes inside the one transaction that stores the batch', async () => {
    const inbox = openInbox();
    inbox.start();
    await firstClaim(inbox);
    const transactions = countTransactions(database);
    const ids = Array.from({ length: SLOTS * 3 }, (_, i) => `acct-${i}`);
    await inbox.receive(ids.map(opened));
    const statuses = async () =>
      (await database.rows<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM kernel_inbox GROUP BY status`)).map((s) => ({ status: s.status, n: Number(s.n) }));
    if (database.dialect === 'sqlite') {
      // Once `receive` resolves, every event is handled: none was left for the dispatcher to claim.
      expect(await recorded()).toEqual(ids);
      expect(await statuses()).toEqual([{ status: 'done', n: ids.length }]);
      expect(transactions()).toBe(1);
    } else {
      await eventually(statuses, (s) => s.length === 1 && s[0].status === 'done' && s[0].n === ids.length, { what: 'every event to be handled' });
      // Claimed rows of different keys run side by side: each recorded once, in no promised order.
      expect((await recorded()).sort()).toEqual([...ids].sort());
    }
  });

  it('lets an event without a key pass rows waiting to be claimed, while one with a key queues behind them', async () => {
    const inbox = openInbox();
    // Rows left from before a start are claimed first: until that claim ends, rows wait for it.
    const claims = holdClaims(inbox);
    inbox.start();
    const unkeyed: EventEnvelope = { ...opened('no-order'), key: undefined };
    await inbox.receive([unkeyed, opened('in-order')]);
    // SQLite: handled with its storing; PostgreSQL: once that has committed (see above).
    await eventually(recorded, (ids) => ids.includes('no-order'), { what: 'the event without a key to be handled' });
    expect(await recorded()).toEqual(['no-order']);
    claims.release();
    await eventually(recorded, (ids) => ids.length === 2, { what: 'the event with a key to be handled after the claim' });
    expect(await recorded()).toEqual(['no-order', 'in-order']);
  });
});
