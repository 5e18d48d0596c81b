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
import { countOf } from '../support/db.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';
import { firstClaim } from './inbox-probe.ts';

/**
 * A claimed event stays with one replica for EVENT_LEASE_MS; then another replica sharing the
 * database (the file on SQLite, the schema on PostgreSQL) may take it over, also when the first
 * one is not dead but only slow. Both handlers then run, and the inbox's done mark must let only
 * one of them commit its effect: here the replica that took over commits first, and the slow one,
 * finishing later, must not apply the event again.
 */
const LEASE_MS = 100; // the least EVENT_LEASE_MS allows
const contract = defineContract('ledger', {}, { posted: event(1, z.object({ entry: z.string() })) });

interface Run {
  replica: string;
  attempt: number;
}

let dataDir: string;
let replicas: Array<{ inbox: Inbox; database: ModuleDb }> = [];
let runs: Run[] = [];
/** How each replica's runs ended (a run turned away by the done mark reports nothing). */
let outcomes: string[] = [];
/** Where each replica's handler waits before committing, until the test releases that replica. */
let gates = new Map<string, { held: Promise<void>; release: () => void }>();
const gate = (replica: string) => {
  if (!gates.has(replica)) {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    gates.set(replica, { held, release });
  }
  return gates.get(replica)!;
};

beforeEach(() => {
  dataDir = tempDataDir('cleave-inbox-lease-');
  runs = [];
  outcomes = [];
  gates = new Map();
});
afterEach(async () => {
  for (const { release } of gates.values()) release();
  for (const { inbox } of replicas) await inbox.stop();
  for (const { database } of replicas) await database.close();
  replicas = [];
});

/**
 * One replica of the ledger module: its own connections to the shared database, and a handler that
 * is deliberately not idempotent by itself (each run that commits adds a row) and waits for the
 * test to release it before committing. Polls only when its timers say a row is due.
 */
async function openReplica(name: string, leaseMs = LEASE_MS) {
  const database = await openTestModuleDb(dataDir, 'ledger', RECORDS_MIGRATIONS);
  const handler = {
    async handle(e: EventEnvelope<{ entry: string }>, ctx: HandlerContext) {
      runs.push({ replica: name, attempt: ctx.attempt });
      await gate(name).held;
      await ctx.commit((tx) => tx.changed(sql`INSERT INTO records (id, value) VALUES (${randomUUID()}, ${e.payload.entry})`));
    },
  };
  const inbox = new Inbox(database, 'ledger', [{ name: 'PostEntry', event: contract.events.posted, instance: handler }], createLogger('silent'), {
    maxAttempts: 3,
    retryBaseMs: 10,
    pollMs: 60_000,
    leaseMs,
    onOutcome: (outcome) => outcomes.push(`${name} ${outcome}`),
  });
  replicas.push({ inbox, database });
  return inbox;
}

const posted = (entry: string): EventEnvelope => ({ id: randomUUID(), type: contract.events.posted.type, version: 1, occurredAt: new Date().toISOString(), payload: { entry } });
const db = () => replicas[0].database;
const effects = async () => (await db().rows<{ value: string }>(sql`SELECT value FROM records ORDER BY seq`)).map((r) => r.value);
const doneCount = () => countOf(db(), sql`SELECT count(*) AS n FROM kernel_inbox WHERE status = 'done'`);

describe('inbox: leases between replicas sharing one database', () => {
  it('applies the effect once when a lease expires while its handler still runs', async () => {
    const first = await openReplica('first');
    // The second replica's own lease outlasts the test: on a busy machine its run must not be taken over in turn.
    const second = await openReplica('second', 60_000);
    first.start();
    await firstClaim(first);
    await first.receive([posted('entry-1')]); // runs at once, claimed for LEASE_MS, and stays held
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
    expect(await effects()).toEqual([]); // both handlers are still running

    gate('second').release();
    await eventually(effects, (e) => e.length === 1, { what: 'the second replica to commit' });
    gate('first').release(); // the slow one finishes last: the done mark turns its commit away
    await eventually(async () => (await first.isIdle()) && (await second.isIdle()), Boolean, { what: 'both replicas to finish' });
    expect(await effects()).toEqual(['entry-1']);
    expect(await doneCount()).toBe(1);
    expect(outcomes).toEqual(['second handled']); // the first neither failed nor counted a second effect
    expect(runs).toHaveLength(2);
  });
});
