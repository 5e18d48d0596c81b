import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, event, type EventEnvelope } from '../../src/kernel/contract.ts';
import { Projection } from '../../src/kernel/events/handlers.ts';
import { Inbox, type InboxOutcome } from '../../src/kernel/events/inbox.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { countOf } from '../support/db.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';
import { firstClaim, holdClaims } from './inbox-probe.ts';

/**
 * Same-key events reach a handler in the order they arrived, also now that a new event is handed
 * straight to its handler when a slot is free: it must never overtake an older one still queued.
 */
const contract = defineContract('counter', {}, { ticked: event(1, z.object({ n: z.number().int() })) });

let database: ModuleDb;
let inboxes: Inbox[] = [];
beforeEach(async () => {
  database = await openTestModuleDb(tempDataDir('cleave-inbox-order-'), 'counter', RECORDS_MIGRATIONS);
});
afterEach(async () => {
  for (const inbox of inboxes) await inbox.stop();
  inboxes = [];
  await database.close();
});

/** An inbox whose handler records each n it sees, and waits for `gate` before finishing. */
function openInbox(concurrency: number, onOutcome?: (outcome: InboxOutcome) => void) {
  const seen: number[] = [];
  let gate: Promise<void> = Promise.resolve();
  let release = () => {};
  const handler = {
    async handle(e: EventEnvelope<{ n: number }>) {
      seen.push(e.payload.n);
      await gate;
    },
  };
  const inbox = new Inbox(database, 'counter', [{ name: 'RecordTick', event: contract.events.ticked, instance: handler }], createLogger('silent'), {
    maxAttempts: 3,
    retryBaseMs: 10,
    pollMs: 60_000,
    concurrency,
    onOutcome,
  });
  inboxes.push(inbox);
  const hold = () => {
    gate = new Promise((resolve) => (release = resolve));
  };
  return { inbox, seen, hold, release: () => release() };
}

const tick = (n: number, key = 'k1'): EventEnvelope => ({ id: randomUUID(), type: contract.events.ticked.type, version: 1, occurredAt: new Date().toISOString(), key, payload: { n } });
const count = (query: SQL) => countOf(database, query);
const handledCount = () => count(sql`SELECT count(*) AS n FROM kernel_inbox WHERE status = 'done'`);

describe('inbox: same-key order with events handed straight to handlers', () => {
  it('after a restart, runs the events an earlier process left queued before a newer one of the same key', async () => {
    const before = openInbox(8).inbox;
    await before.stop(); // a stopping process stores what arrives but runs nothing more
    await before.receive([tick(1), tick(2)]);
    const { inbox, seen } = openInbox(8); // the restarted process: it gets a new event before its first claim
    await inbox.receive([tick(3)]);
    inbox.start();
    await eventually(async () => expect(await handledCount()).toBe(3));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('keeps a new event behind an older one of its key that waited for a free slot', async () => {
    let whenHandled: (() => void) | undefined;
    const { inbox, seen, hold, release } = openInbox(1, (outcome) => {
      if (outcome === 'handled') whenHandled?.();
    });
    inbox.start();
    await firstClaim(inbox);
    hold();
    const [first, second] = [tick(1), tick(2)];
    await inbox.receive([first]); // takes the only slot and waits
    await inbox.receive([second]); // no slot: queued for the next claim
    // From here 2 stays queued until the test lets the dispatcher claim it.
    const claims = holdClaims(inbox);
    const firstHandled = new Promise<void>((resolve) => (whenHandled = resolve));
    release();
    await firstHandled;
    // 1 leaves its slot in the microtasks that follow its outcome: after this turn it has, so a
    // dispatcher that ignored the queued 2 would offer 3 that slot.
    await new Promise((resolve) => setImmediate(resolve));
    const statuses = await database.rows<{ status: string }>(sql`SELECT status FROM kernel_inbox WHERE event_id IN (${first.id}, ${second.id}) ORDER BY seq`);
    expect(statuses.map((r) => r.status)).toEqual(['done', 'pending']);
    await inbox.receive([tick(3)]); // a slot is free, but 2 is older: 3 must queue behind it
    expect(seen).toEqual([1]);
    claims.release();
    await eventually(async () => expect(await handledCount()).toBe(3));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('runs a redelivered event once, whether its first copy is queued, running or done', async () => {
    const { inbox, seen, hold, release } = openInbox(4);
    inbox.start();
    await firstClaim(inbox);
    const first = tick(1);
    hold();
    await inbox.receive([first]);
    await inbox.receive([first]);
    release();
    await eventually(async () => expect(await handledCount()).toBe(1));
    await inbox.receive([first]);
    await eventually(async () => expect(await inbox.isIdle()).toBe(true));
    expect(seen).toEqual([1]);
  });
});

describe('inbox: a projection runs as its event is stored', () => {
  /**
   * An inbox whose one subscription is a projection writing a record for each event, failing on
   * the calls `failing` names. A call writes a partial record first: the savepoint around a
   * projection that throws must undo it.
   */
  function recordingInbox(failing: (n: number, call: number) => boolean) {
    const calls = new Map<number, number>();
    const projection = new Projection<null, { n: number }>('WriteTick', null, async (_target, { n }, tx) => {
      const call = (calls.get(n) ?? 0) + 1;
      calls.set(n, call);
      await tx.changed(sql`INSERT INTO records (id, value) VALUES (${`before-commit-${n}-${call}`}, 'partial')`); // undone if it throws
      if (failing(n, call)) throw new Error(`refusing ${n} on call ${call}`);
      await tx.changed(sql`INSERT INTO records (id, value) VALUES (${`tick-${n}`}, ${String(call)})`);
    });
    const inbox = new Inbox(database, 'counter', [{ name: 'WriteTick', event: contract.events.ticked, instance: projection }], createLogger('silent'), {
      maxAttempts: 3,
      // Long enough for the test to look at the database between a failed run and its retry.
      retryBaseMs: 100,
      pollMs: 60_000,
    });
    inboxes.push(inbox);
    return inbox;
  }
  const records = () => database.rows<{ id: string; value: string }>(sql`SELECT id, value FROM records ORDER BY id`);

  it('commits its effect, its done mark and the stored row together, before receive returns', async () => {
    const inbox = recordingInbox(() => false);
    inbox.start();
    await firstClaim(inbox);
    await inbox.receive([tick(1)]);
    expect(await records()).toEqual([{ id: 'before-commit-1-1', value: 'partial' }, { id: 'tick-1', value: '1' }]);
    expect(await handledCount()).toBe(1);
  });

  it('leaves none of the writes of a run that throws as its event is stored, and runs it again later, once', async () => {
    const inbox = recordingInbox((_n, call) => call === 1);
    inbox.start();
    await firstClaim(inbox);
    await inbox.receive([tick(2)]);
    expect(await records()).toEqual([]);
    expect(await count(sql`SELECT count(*) AS n FROM kernel_inbox WHERE status = 'pending'`)).toBe(1); // the row itself is stored
    await eventually(async () => expect(await handledCount()).toBe(1));
    expect(await records()).toEqual([{ id: 'before-commit-2-2', value: 'partial' }, { id: 'tick-2', value: '2' }]);
  });
});
