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
import { firstClaim } from './inbox-probe.ts';

/**
 * Same-key events run one at a time: a newer event waits until the handler of an older one of its
 * key has finished, not only until it has started. Checked on both ways an event reaches a
 * handler: straight from `receive` (the store path) and through the dispatcher's claim.
 */
const contract = defineContract('counter', {}, { ticked: event(1, z.object({ n: z.number().int() })) });

let database: ModuleDb;
let inboxes: Inbox[] = [];
let log: string[] = [];
const gates = new Map<number, { opened: Promise<void>; open: () => void }>();

/** The gate the handler of tick n waits at, made on first use. */
function gate(n: number) {
  let entry = gates.get(n);
  if (!entry) {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    entry = { opened, open };
    gates.set(n, entry);
  }
  return entry;
}
const release = (n: number) => gate(n).open();

beforeEach(async () => {
  database = await openTestModuleDb(tempDataDir('cleave-inbox-running-'), 'counter', RECORDS_MIGRATIONS);
  log = [];
  gates.clear();
});
afterEach(async () => {
  for (const g of gates.values()) g.open();
  for (const inbox of inboxes) await inbox.stop();
  inboxes = [];
  await database.close();
});

/** An inbox whose handler logs when tick n starts and ends, and holds it until the test releases n. */
function openInbox(concurrency: number) {
  const handler = {
    async handle(e: EventEnvelope<{ n: number }>) {
      log.push(`start ${e.payload.n}`);
      await gate(e.payload.n).opened;
      log.push(`end ${e.payload.n}`);
    },
  };
  const inbox = new Inbox(database, 'counter', [{ name: 'RecordTick', event: contract.events.ticked, instance: handler }], createLogger('silent'), {
    maxAttempts: 3,
    retryBaseMs: 10,
    pollMs: 60_000,
    concurrency,
  });
  inboxes.push(inbox);
  return inbox;
}

/** The event id of each tick, by n. */
const ids = new Map<number, string>();
const tick = (n: number, key = 'k1'): EventEnvelope => {
  ids.set(n, randomUUID());
  return { id: ids.get(n)!, type: contract.events.ticked.type, version: 1, occurredAt: new Date().toISOString(), key, payload: { n } };
};
/** One turn of the event loop: whatever the inbox would start on its own by now has started. */
const turn = () => new Promise((resolve) => setImmediate(resolve));
const claimed = async (n: number) => {
  const [row] = await database.rows<{ attempts: number }>(sql`SELECT attempts FROM kernel_inbox WHERE event_id = ${ids.get(n)!}`);
  return row?.attempts === 1;
};
const idle = (inbox: Inbox) => eventually(() => inbox.isIdle(), Boolean, { what: 'the inbox to finish' });

describe('inbox: a newer same-key event waits for the older one to finish', () => {
  it('keeps a newer event that arrives while an older one of its key is running from starting until the older finishes', async () => {
    const inbox = openInbox(8);
    inbox.start();
    await firstClaim(inbox); // from now on, new events go straight to a free handler
    await inbox.receive([tick(1)]);
    expect(log).toEqual(['start 1']);
    await inbox.receive([tick(2), tick(10, 'other-key')]); // slots are free, but 1 still runs
    await turn();
    expect(log).toEqual(['start 1', 'start 10']);
    release(1);
    await eventually(() => log.includes('start 2'), Boolean, { what: 'tick 2 to start' });
    expect(log).toEqual(['start 1', 'start 10', 'end 1', 'start 2']);
    release(2);
    release(10);
    await idle(inbox);
  });

  it('keeps the newer of two same-key events claimed together from starting until the older finishes', async () => {
    const before = openInbox(8);
    await before.stop(); // a stopping process stores what arrives but runs nothing more
    await before.receive([tick(1), tick(2)]);
    const inbox = openInbox(8); // the restarted process claims both in one batch
    inbox.start();
    await eventually(async () => (await claimed(1)) && (await claimed(2)), Boolean, { what: 'both ticks to be claimed' });
    // The claim committed; the dispatcher starts 1 once its commit answered.
    await eventually(() => log.length > 0, Boolean, { what: 'tick 1 to start' });
    await turn();
    expect(log).toEqual(['start 1']);
    release(1);
    await eventually(() => log.includes('start 2'), Boolean, { what: 'tick 2 to start' });
    expect(log).toEqual(['start 1', 'end 1', 'start 2']);
    release(2);
    await idle(inbox);
  });

  it('keeps a newer event claimed later, after it waited for a slot, from starting until the older one of its key finishes', async () => {
    const inbox = openInbox(2);
    inbox.start();
    await firstClaim(inbox);
    await inbox.receive([tick(1)]);
    await inbox.receive([tick(10, 'other-key'), tick(2)]); // 10 takes the last slot; 2 is queued for the dispatcher
    expect(await claimed(2)).toBe(false);
    release(10); // a slot frees up while 1 still runs: the dispatcher claims 2
    await eventually(() => claimed(2), Boolean, { what: 'tick 2 to be claimed' });
    await turn();
    expect(log).toEqual(['start 1', 'start 10', 'end 10']);
    release(1);
    await eventually(() => log.includes('start 2'), Boolean, { what: 'tick 2 to start' });
    expect(log).toEqual(['start 1', 'start 10', 'end 10', 'end 1', 'start 2']);
    release(2);
    await idle(inbox);
  });
});
