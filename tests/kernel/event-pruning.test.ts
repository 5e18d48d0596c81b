import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventPruner } from '../../src/kernel/events/event-pruner.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';

/**
 * Delivered events leave a module's outbox and inbox once they are older than the retention;
 * everything still owed (unpublished, pending, dead) stays, whatever its age.
 */
const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW - h * HOUR).toISOString();

let db: ModuleDb;
beforeEach(async () => {
  db = await openTestModuleDb(tempDataDir(), 'ledger', RECORDS_MIGRATIONS);
});
afterEach(async () => {
  await db.close();
});

/** An outbox row written `writtenHoursAgo`, published `publishedHoursAgo` (undefined: not yet). */
async function outboxRow(id: string, writtenHoursAgo: number, publishedHoursAgo?: number): Promise<void> {
  await db.transaction((tx) =>
    tx.statementChanged('INSERT INTO kernel_outbox (id, type, version, key, trace_id, payload, occurred_at, published_at) VALUES (?, ?, 1, NULL, NULL, ?, ?, ?)', [
      id, 'ledger.posted', '{}', hoursAgo(writtenHoursAgo), publishedHoursAgo === undefined ? null : hoursAgo(publishedHoursAgo),
    ]),
  );
}

async function inboxRow(eventId: string, status: 'done' | 'pending' | 'dead', receivedHoursAgo: number, handledHoursAgo?: number): Promise<void> {
  await db.transaction((tx) =>
    tx.statementChanged(
      'INSERT INTO kernel_inbox (event_id, handler, type, key, envelope, status, received_at, handled_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)',
      [eventId, 'PostEntry', 'ledger.posted', '{}', status, hoursAgo(receivedHoursAgo), handledHoursAgo === undefined ? null : hoursAgo(handledHoursAgo)],
    ),
  );
}

const ids = async (table: 'kernel_outbox' | 'kernel_inbox') =>
  (await db.statementRows<{ id: string }>(`SELECT ${table === 'kernel_outbox' ? 'id' : 'event_id'} AS id FROM ${table} ORDER BY seq`, [])).map((r) => r.id);

describe('event pruning', () => {
  it('deletes published events and handled ones older than the retention, and keeps every event still owed', async () => {
    await outboxRow('old-published', 200, 199);
    await outboxRow('old-unpublished', 190);
    await outboxRow('published-just-now', 100, 1);
    await outboxRow('new', 1, 0.5);
    await inboxRow('old-done', 'done', 200, 199);
    await inboxRow('old-dead', 'dead', 195);
    await inboxRow('old-pending', 'pending', 190);
    await inboxRow('handled-just-now', 'done', 170, 2);
    await inboxRow('new-done', 'done', 1, 1);

    const pruner = new EventPruner(db, 168 * HOUR, createLogger('silent'));
    expect(await pruner.prune(NOW)).toEqual({ kernel_outbox: 1, kernel_inbox: 1 });
    expect(await ids('kernel_outbox')).toEqual(['old-unpublished', 'published-just-now', 'new']);
    expect(await ids('kernel_inbox')).toEqual(['old-dead', 'old-pending', 'handled-just-now', 'new-done']);
    // Nothing more goes on a second run, and the rows kept then go once they are old enough.
    expect(await pruner.prune(NOW)).toEqual({ kernel_outbox: 0, kernel_inbox: 0 });
    expect(await pruner.prune(NOW + 200 * HOUR)).toEqual({ kernel_outbox: 2, kernel_inbox: 2 });
    expect(await ids('kernel_outbox')).toEqual(['old-unpublished']);
    expect(await ids('kernel_inbox')).toEqual(['old-dead', 'old-pending']);
  });

  it('walks a backlog larger than one page, and stops at the first event written after the cut-off', async () => {
    for (let batch = 0; batch < 3; batch++) {
      await db.transaction(async (tx) => {
        for (let i = 0; i < 1_000; i++) {
          const n = batch * 1_000 + i;
          await tx.statementChanged('INSERT INTO kernel_outbox (id, type, version, key, trace_id, payload, occurred_at, published_at) VALUES (?, ?, 1, NULL, NULL, ?, ?, ?)', [
            `e${n}`, 'ledger.posted', '{}', hoursAgo(n < 2_500 ? 300 : 10), hoursAgo(n < 2_500 ? 299 : 9),
          ]);
        }
      });
    }
    // A row written after the cut-off but published, say, by a clock running behind: the walk stops
    // at the first young row, so the old-looking rows after it stay for a later run.
    await outboxRow('young-then-old', 10, 300);
    await outboxRow('after-the-stop', 300, 299);
    const pruner = new EventPruner(db, 168 * HOUR, createLogger('silent'));
    expect(await pruner.prune(NOW)).toEqual({ kernel_outbox: 2_500, kernel_inbox: 0 });
    const left = await ids('kernel_outbox');
    expect(left.length).toBe(502);
    expect(left[0]).toBe('e2500');
    expect(left.slice(-2)).toEqual(['young-then-old', 'after-the-stop']);
  });

  it('stops after the page in progress when the module stops, and runs one prune at a time', async () => {
    await db.transaction(async (tx) => {
      for (let i = 0; i < 3_000; i++) {
        await tx.statementChanged('INSERT INTO kernel_outbox (id, type, version, key, trace_id, payload, occurred_at, published_at) VALUES (?, ?, 1, NULL, NULL, ?, ?, ?)', [
          `e${i}`, 'ledger.posted', '{}', hoursAgo(300), hoursAgo(299),
        ]);
      }
    });
    const pruner = new EventPruner(db, 168 * HOUR, createLogger('silent'));
    pruner.start();
    await pruner.stop();
    // The first page (or none) went before the stop was seen; never the whole backlog.
    expect((await ids('kernel_outbox')).length).toBeGreaterThanOrEqual(2_000);
  });
});
