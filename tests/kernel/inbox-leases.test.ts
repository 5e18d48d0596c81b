import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, event, type EventEnvelope } from '../../src/kernel/contract.ts';
import type { HandlerContext } from '../../src/kernel/events/handlers.ts';
import { Inbox } from '../../src/kernel/events/inbox.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { openModuleDatabase, type ModuleDatabase } from '../../src/kernel/persistence/database.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { eventually } from '../support/eventually.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';

/**
 * A claimed event stays with one replica for EVENT_LEASE_MS; then another replica sharing the file
 * may take it over, also when the first one is not dead but only slow. Both handlers then run, and
 * the inbox's done mark must let only one of them commit its effect.
 */
const LEASE_MS = 100; // the least EVENT_LEASE_MS allows
const contract = defineContract('ledger', {}, { posted: event(1, z.object({ entry: z.string() })) });

interface Run {
  replica: string;
  attempt: number;
}

let dataDir: string;
let replicas: Array<{ inbox: Inbox; database: ModuleDatabase }> = [];
let runs: Run[] = [];
let release: () => void = () => {};
let held: Promise<void> = Promise.resolve();

beforeEach(() => {
  dataDir = tempDataDir('cleave-inbox-lease-');
  runs = [];
  held = new Promise((resolve) => (release = resolve));
});
afterEach(async () => {
  release();
  for (const { inbox } of replicas) await inbox.stop();
  for (const { database } of replicas) database.sqlite.close();
  replicas = [];
});

/**
 * One replica of the ledger module: its own connection to the shared file, and a handler that is
 * deliberately not idempotent by itself (each run that commits adds a row) and waits for the test
 * to release it before committing. Polls only when its timers say a row is due.
 */
function openReplica(name: string) {
  const database = openModuleDatabase(dataDir, 'ledger', RECORDS_MIGRATIONS);
  const write = database.sqlite.prepare('INSERT INTO records (id, value) VALUES (?, ?)');
  const handler = {
    async handle(e: EventEnvelope<{ entry: string }>, ctx: HandlerContext) {
      runs.push({ replica: name, attempt: ctx.attempt });
      await held;
      ctx.commit(() => write.run(randomUUID(), e.payload.entry));
    },
  };
  const inbox = new Inbox(database.sqlite, 'ledger', [{ name: 'PostEntry', event: contract.events.posted, instance: handler }], createLogger('silent'), {
    maxAttempts: 3,
    retryBaseMs: 10,
    pollMs: 60_000,
    leaseMs: LEASE_MS,
  });
  replicas.push({ inbox, database });
  return inbox;
}

const posted = (entry: string): EventEnvelope => ({ id: randomUUID(), type: contract.events.posted.type, version: 1, occurredAt: new Date().toISOString(), payload: { entry } });
/** Lets an inbox's first claim run (start() queues it with setImmediate). */
const firstClaim = () => new Promise((resolve) => setImmediate(resolve));
const sqlite = () => replicas[0].database.sqlite;
const effects = () => sqlite().prepare('SELECT value FROM records').pluck().all();
const doneCount = () => sqlite().prepare("SELECT count(*) FROM kernel_inbox WHERE status = 'done'").pluck().get();

describe('inbox: leases between replicas sharing one file', () => {
  it('applies the effect once when a lease expires while its handler still runs', async () => {
    const first = openReplica('first');
    const second = openReplica('second');
    first.start();
    await firstClaim();
    first.receive([posted('entry-1')]); // runs at once, claimed for LEASE_MS, and stays held
    expect(runs).toEqual([{ replica: 'first', attempt: 1 }]);

    second.start();
    await eventually(
      () => {
        second.wake(); // as its poll would: claims the row once the first replica's lease ran out
        return runs.length;
      },
      (n) => n >= 2,
      { what: 'the second replica to take over the expired lease' },
    );
    expect(runs[1]).toEqual({ replica: 'second', attempt: 2 });
    expect(effects()).toEqual([]); // both handlers are still running

    release();
    await eventually(() => first.isIdle() && second.isIdle(), Boolean, { what: 'both replicas to finish' });
    expect(effects()).toEqual(['entry-1']);
    expect(doneCount()).toBe(1);
  });
});
