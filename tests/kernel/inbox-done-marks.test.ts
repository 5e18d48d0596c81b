import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, event, type EventEnvelope } from '../../src/kernel/contract.ts';
import { Inbox } from '../../src/kernel/events/inbox.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';
import { countTransactions, firstClaim } from './inbox-probe.ts';

/**
 * A handler that commits nothing through `ctx.commit` (it calls other modules, or writes in
 * transactions of its own) is marked done after it returns. Those marks are written together:
 * the marks of handlers that finish while the module's write lock is busy share one transaction.
 */
const contract = defineContract('counter', {}, { ticked: event(1, z.object({ n: z.number().int() })) });

let database: ModuleDb;
let inbox: Inbox | undefined;
let finish = () => {};
let finished = new Promise<void>((resolve) => (finish = resolve));
let failNext = false;

beforeEach(async () => {
  database = await openTestModuleDb(tempDataDir('cleave-done-marks-'), 'counter', RECORDS_MIGRATIONS);
  finished = new Promise<void>((resolve) => (finish = resolve));
  failNext = false;
});
afterEach(async () => {
  finish();
  await inbox?.stop();
  await database.close();
});

/** An inbox whose handler waits (as for a call to another module) until the test lets every run finish. */
function openInbox(): Inbox {
  const handler = {
    async handle() {
      await finished;
      if (failNext) throw new Error('the call it waited for failed');
    },
  };
  inbox = new Inbox(database, 'counter', [{ name: 'AwaitTick', event: contract.events.ticked, instance: handler }], createLogger('silent'), {
    maxAttempts: 3,
    retryBaseMs: 60_000,
    pollMs: 60_000,
    concurrency: 64,
  });
  return inbox;
}

const tick = (n: number): EventEnvelope => ({ id: randomUUID(), type: contract.events.ticked.type, version: 1, occurredAt: new Date().toISOString(), key: `k${n}`, payload: { n } });
const statuses = () => database.rows<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM kernel_inbox GROUP BY status ORDER BY status`);

describe('inbox: done marks of handlers that commit nothing themselves', () => {
  it('marks ten runs that finish together done in far fewer transactions than ten, each row once', async () => {
    const inbox = openInbox();
    inbox.start();
    await firstClaim(inbox);
    await inbox.receive(Array.from({ length: 10 }, (_, i) => tick(i)));
    const opened = countTransactions(database);
    // A write transaction holds the module's lock while the ten finish: their marks queue behind it.
    await database.transaction(async () => {
      finish();
      await new Promise((resolve) => setImmediate(resolve));
    });
    await eventually(() => inbox.isIdle(), Boolean, { what: 'the inbox to finish' });
    expect(await statuses()).toEqual([{ status: 'done', n: 10 }]);
    // The test's own transaction, then the marks: one transaction for all ten, not ten.
    expect(opened()).toBe(2);
  });

  it('writes no done mark for runs that failed: they stay pending, their error recorded for the retry', async () => {
    const inbox = openInbox();
    inbox.start();
    await firstClaim(inbox);
    await inbox.receive([tick(1), tick(2)]);
    failNext = true;
    finish();
    await eventually(async () => (await database.rows<{ n: number }>(sql`SELECT count(*) AS n FROM kernel_inbox WHERE last_error IS NOT NULL`))[0].n, (n) => Number(n) === 2, {
      what: 'both runs to record their failure',
    });
    expect(await statuses()).toEqual([{ status: 'pending', n: 2 }]);
  });
});
