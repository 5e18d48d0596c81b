import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, event, type EventEnvelope } from '../../src/kernel/contract.ts';
import type { HandlerContext } from '../../src/kernel/events/handlers.ts';
import { Inbox } from '../../src/kernel/events/inbox.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { openModuleDatabase, type ModuleDatabase } from '../../src/kernel/persistence/database.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { eventually } from '../support/eventually.ts';

/**
 * Same-key events reach a handler in the order they arrived, also now that a new event is handed
 * straight to its handler when a slot is free: it must never overtake an older one still queued.
 */
const MIGRATIONS = fileURLToPath(new URL('../fixtures/kernel-modules/records', import.meta.url));
const contract = defineContract('counter', {}, { ticked: event(1, z.object({ n: z.number().int() })) });

let database: ModuleDatabase;
let inboxes: Inbox[] = [];
beforeEach(() => {
  database = openModuleDatabase(tempDataDir('cleave-inbox-order-'), 'counter', MIGRATIONS);
});
afterEach(async () => {
  for (const inbox of inboxes) await inbox.stop();
  inboxes = [];
  database.sqlite.close();
});

/** An inbox whose handler records each n it sees, and waits for `gate` before finishing. */
function openInbox(concurrency: number) {
  const seen: number[] = [];
  let gate: Promise<void> = Promise.resolve();
  let release = () => {};
  const handler = {
    async handle(e: EventEnvelope<{ n: number }>) {
      seen.push(e.payload.n);
      await gate;
    },
  };
  const inbox = new Inbox(database.sqlite, 'counter', [{ name: 'RecordTick', event: contract.events.ticked, instance: handler }], createLogger('silent'), {
    maxAttempts: 3,
    retryBaseMs: 10,
    pollMs: 60_000,
    concurrency,
  });
  inboxes.push(inbox);
  const hold = () => {
    gate = new Promise((resolve) => (release = resolve));
  };
  return { inbox, seen, hold, release: () => release() };
}

const tick = (n: number, key = 'k1'): EventEnvelope => ({ id: randomUUID(), type: contract.events.ticked.type, version: 1, occurredAt: new Date().toISOString(), key, payload: { n } });
/**
 * Lets the inbox's first claim run: start() queues it with setImmediate, so the next check phase
 * runs it before this one. From then on new events may go straight to a handler.
 */
const firstClaim = () => new Promise((resolve) => setImmediate(resolve));
const handledCount = () => database.sqlite.prepare("SELECT count(*) FROM kernel_inbox WHERE status = 'done'").pluck().get() as number;

describe('inbox: same-key order with events handed straight to handlers', () => {
  it('after a restart, runs the events an earlier process left queued before a newer one of the same key', async () => {
    const before = openInbox(8).inbox;
    await before.stop(); // a stopping process stores what arrives but runs nothing more
    before.receive([tick(1), tick(2)]);
    const { inbox, seen } = openInbox(8); // the restarted process: it gets a new event before its first claim
    inbox.receive([tick(3)]);
    inbox.start();
    await eventually(() => expect(handledCount()).toBe(3));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('keeps a new event behind an older one of its key that waited for a free slot', async () => {
    const { inbox, seen, hold, release } = openInbox(1);
    inbox.start();
    await firstClaim();
    hold();
    inbox.receive([tick(1)]); // takes the only slot and waits
    inbox.receive([tick(2)]); // no slot: queued for the next claim
    release();
    for (let i = 0; i < 50; i++) await Promise.resolve(); // 1 finishes; the next claim has not run yet
    expect([handledCount(), inbox.pendingCount()]).toEqual([1, 1]); // the case under test: 1 done, 2 still queued
    inbox.receive([tick(3)]); // a slot is free again, but 2 is older
    await eventually(() => expect(handledCount()).toBe(3));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('runs a redelivered event once, whether its first copy is queued, running or done', async () => {
    const { inbox, seen, hold, release } = openInbox(4);
    inbox.start();
    await firstClaim();
    const first = tick(1);
    hold();
    inbox.receive([first]);
    inbox.receive([first]);
    release();
    await eventually(() => expect(handledCount()).toBe(1));
    inbox.receive([first]);
    await eventually(() => expect(inbox.isIdle()).toBe(true));
    expect(seen).toEqual([1]);
  });
});

describe('inbox: a synchronous handler runs as its event is stored', () => {
  /** An inbox whose handler writes a record for each event synchronously, failing while `failing` says so. */
  function recordingInbox(failing: (n: number, attempt: number) => boolean) {
    const write = database.sqlite.prepare('INSERT INTO records (id, value) VALUES (?, ?)');
    const handler = {
      handle(e: EventEnvelope<{ n: number }>, ctx: HandlerContext) {
        write.run(`before-commit-${e.payload.n}-${ctx.attempt}`, 'partial'); // undone if the handler throws
        if (failing(e.payload.n, ctx.attempt)) throw new Error(`refusing ${e.payload.n} on attempt ${ctx.attempt}`);
        ctx.commit(() => write.run(`tick-${e.payload.n}`, String(ctx.attempt)));
      },
    };
    const inbox = new Inbox(database.sqlite, 'counter', [{ name: 'WriteTick', event: contract.events.ticked, instance: handler }], createLogger('silent'), {
      maxAttempts: 3,
      retryBaseMs: 10,
      pollMs: 60_000,
    });
    inboxes.push(inbox);
    return inbox;
  }
  const records = () => database.sqlite.prepare('SELECT id, value FROM records ORDER BY id').all();

  it('commits its effect, its done mark and the stored row together, before receive returns', async () => {
    const inbox = recordingInbox(() => false);
    inbox.start();
    await firstClaim();
    inbox.receive([tick(1)]);
    expect(records()).toEqual([{ id: 'before-commit-1-1', value: 'partial' }, { id: 'tick-1', value: '1' }]);
    expect(handledCount()).toBe(1);
  });

  it('leaves none of the writes of a run that throws as its event is stored, and runs it again later, once', async () => {
    const inbox = recordingInbox((_n, attempt) => attempt === 1);
    inbox.start();
    await firstClaim();
    inbox.receive([tick(2)]);
    expect(records()).toEqual([]);
    await eventually(() => expect(handledCount()).toBe(1));
    expect(records()).toEqual([{ id: 'before-commit-2-2', value: 'partial' }, { id: 'tick-2', value: '2' }]);
  });
});
