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
import { countTransactions, firstClaim } from './inbox-probe.ts';

/**
 * `ctx.write`: what a handler records before calling other modules (the order saga's start). Before
 * the handler's first await it commits with the stored event, one transaction for both; the event
 * is marked handled only when the handler returns, so a later failure runs it again, and what it
 * recorded stays.
 */
const contract = defineContract('ledger', {}, { opened: event(1, z.object({ id: z.string() })) });

let database: ModuleDb;
let inbox: Inbox | undefined;
/** Lets the handler go on past the call it waits for (as a saga waits for another module). */
let answer = () => {};
let answered = new Promise<void>((resolve) => (answer = resolve));
/** The attempts that fail after the write. */
let failing = new Set<number>();

beforeEach(async () => {
  database = await openTestModuleDb(tempDataDir('cleave-inbox-write-'), 'ledger', RECORDS_MIGRATIONS);
  answered = new Promise<void>((resolve) => (answer = resolve));
  failing = new Set();
});
afterEach(async () => {
  answer();
  await inbox?.stop();
  await database.close();
});

/** Records the id once (a redelivery finds it there), then waits for the other module's answer. */
const handler = {
  async handle(e: EventEnvelope<{ id: string }>, ctx: HandlerContext) {
    await ctx.write((tx) => tx.changed(sql`INSERT INTO records (id, value) SELECT ${e.payload.id}, 'opened' WHERE NOT EXISTS (SELECT 1 FROM records WHERE id = ${e.payload.id})`));
    await answered;
    if (failing.has(ctx.attempt)) throw new Error(`the other module failed (attempt ${ctx.attempt})`);
  },
};

function openInbox(): Inbox {
  inbox = new Inbox(database, 'ledger', [{ name: 'OpenAccount', event: contract.events.opened, instance: handler as never }], createLogger('silent'), {
    maxAttempts: 5,
    // Long enough to look at a failed attempt before its retry.
    retryBaseMs: 500,
    // No polling: the transactions the tests count are the event's own (a retry wakes the inbox itself).
    pollMs: 60_000,
    concurrency: 8,
  });
  return inbox;
}

const opened = (id: string): EventEnvelope => ({ id: randomUUID(), type: contract.events.opened.type, version: 1, occurredAt: new Date().toISOString(), key: id, payload: { id } });
const records = async () => (await database.rows<{ id: string }>(sql`SELECT id FROM records ORDER BY seq`)).map((r) => r.id);
const inboxRow = async () => (await database.rows<{ status: string; attempts: number; last_error: string | null }>(sql`SELECT status, attempts, last_error FROM kernel_inbox`))[0];

describe('inbox: ctx.write, a handler recording before it calls other modules', () => {
  it('commits the write with the stored event, and marks the event handled only when the handler returns', async () => {
    const inbox = openInbox();
    inbox.start();
    await firstClaim(inbox);
    const transactions = countTransactions(database);
    await inbox.receive([opened('acct-1')]);
    // Stored and recorded in one transaction; the handler still waits for its answer.
    expect(await records()).toEqual(['acct-1']);
    expect(await inboxRow()).toMatchObject({ status: 'pending' });
    expect(transactions()).toBe(1);
    answer();
    await eventually(async () => (await inboxRow()).status, (s) => s === 'done', { what: 'the event to be marked handled' });
    expect(transactions()).toBe(2);
  });

  it('keeps what was written when the handler fails later, and runs the event again until it succeeds', async () => {
    failing = new Set([1]);
    const inbox = openInbox();
    inbox.start();
    await firstClaim(inbox);
    await inbox.receive([opened('acct-2')]);
    answer();
    const failed = await eventually(inboxRow, (row) => row.last_error !== null, { what: 'the first attempt to fail' });
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failed.last_error).toMatch(/the other module failed \(attempt 1\)/);
    expect(await records()).toEqual(['acct-2']);
    await eventually(async () => (await inboxRow()).status, (s) => s === 'done', { what: 'the retry to succeed' });
    expect((await inboxRow()).attempts).toBe(2);
    expect(await records()).toEqual(['acct-2']);
  });
});
