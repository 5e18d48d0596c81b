import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/kernel/contract.ts';
import { InProcessTransport } from '../../src/kernel/events/local-bus.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { countIn, dbOf } from '../support/db.ts';
import { eventually } from '../support/eventually.ts';
import { attempts, bookkeeperModule, tillContract, tillModule } from '../support/event-modules.ts';
import { recordsOf, startRuntime, stopAllRuntimes, stopRuntime } from '../support/runtime.ts';

/**
 * Transactional outbox: an event is written with the change it reports, delivered only once that
 * change committed, and survives a crash between commit and delivery.
 */
const modules = [tillModule, bookkeeperModule];

/** The broker is unreachable: the relay cannot hand any event over. */
class UnreachableBroker extends InProcessTransport {
  override async publish(): Promise<void> {
    throw new Error('broker unreachable');
  }
}

/** The process dies right after the transport took the events, before the outbox marks them published. */
class DiesAfterDelivery extends InProcessTransport {
  override async publish(events: EventEnvelope[]): Promise<void> {
    await super.publish(events);
    throw new Error('process died before marking the events published');
  }
}

const effectsOf = async (runtime: Runtime, saleId: string) => (await recordsOf(runtime, 'bookkeeper')).filter((r) => r.value === saleId).length;
const unpublished = (runtime: Runtime) => countIn({ runtime }, 'till', sql`SELECT count(*) AS n FROM kernel_outbox WHERE published_at IS NULL`);
const outboxRows = (runtime: Runtime, module = 'till') => countIn({ runtime }, module, sql`SELECT count(*) AS n FROM kernel_outbox`);

/** Runs a TypeScript script in a child process until it exits or is killed. */
function runToDeath(script: string, args: string[]): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stdout, stderr }));
  });
}

afterEach(stopAllRuntimes);

describe('outbox: publishing is transactional', () => {
  it('delivers an event published in a committed transaction to its consumer once', async () => {
    const { runtime } = await startRuntime(modules);
    const { eventId } = await runtime.use(tillContract).sell({ saleId: 'sale-ok', amount: 100 });
    await runtime.settled();
    expect(await effectsOf(runtime, 'sale-ok')).toBe(1);
    expect(attempts.filter((a) => a.eventId === eventId)).toHaveLength(1);
    expect(await unpublished(runtime)).toBe(0);
  });

  it('never delivers an event published inside a transaction that rolled back', async () => {
    const { runtime } = await startRuntime(modules);
    await expect(runtime.use(tillContract).sell({ saleId: 'sale-rolled-back', amount: 100, thenFail: true })).rejects.toMatchObject({ kind: 'internal' });
    await runtime.settled();
    expect(await recordsOf(runtime, 'till')).toEqual([]);
    expect(await outboxRows(runtime)).toBe(0);
    expect(await effectsOf(runtime, 'sale-rolled-back')).toBe(0);
    expect(attempts.filter((a) => a.saleId === 'sale-rolled-back')).toEqual([]);
  });

  // Publishing lives on the transaction (`tx.publish`): the module's database has no way to publish
  // outside one, and a write to the outbox table outside a transaction is refused by the engine.
  it('publishes only inside a transaction: the database outside one cannot publish, and refuses to write the outbox', async () => {
    const { runtime } = await startRuntime(modules);
    const db = dbOf({ runtime }, 'till');
    const byHand = sql`INSERT INTO kernel_outbox (id, type, version, key, payload, occurred_at)
      VALUES ('no-tx', ${tillContract.events.sold.type}, 1, 'no-tx', '{"saleId":"no-tx","amount":1}', ${new Date().toISOString()}) RETURNING seq`;
    const attempt = db.rows(byHand).then(
      () => 'written',
      (err: Error) => `${err.message} <- ${(err.cause as Error | undefined)?.message}`, // drizzle wraps the driver's error
    );
    expect(await attempt).toMatch(/read.?only/i);
    await runtime.settled();
    expect(await outboxRows(runtime)).toBe(0);
    expect(attempts.filter((a) => a.saleId === 'no-tx')).toEqual([]);
  });

  it("refuses to publish another module's event, or a payload that breaks the event's schema, and the transaction writes nothing", async () => {
    const { runtime } = await startRuntime(modules);
    const foreign = dbOf({ runtime }, 'bookkeeper').transaction(async (tx) => {
      await tx.changed(sql`INSERT INTO records (id, value) VALUES ('foreign', 'x')`);
      await tx.publish(tillContract.events.sold, { saleId: 'x', amount: 1 });
    });
    await expect(foreign).rejects.toThrow(/only publish its own events/);
    const broken = dbOf({ runtime }, 'till').transaction(async (tx) => {
      await tx.changed(sql`INSERT INTO records (id, value) VALUES ('broken', 'x')`);
      await tx.publish(tillContract.events.sold, { saleId: 'x', amount: 'ten' } as never);
    });
    await expect(broken).rejects.toThrow(/breaks its schema/);
    expect(await recordsOf(runtime, 'bookkeeper')).toEqual([]);
    expect(await recordsOf(runtime, 'till')).toEqual([]);
    expect(await outboxRows(runtime, 'bookkeeper')).toBe(0);
    expect(await outboxRows(runtime, 'till')).toBe(0);
  });
});

describe('outbox: a crash loses no event and applies none twice', () => {
  it('delivers an event written before a crash exactly once after restart', async () => {
    const dataDir = tempDataDir('cleave-crash-');
    const child = await runToDeath(fileURLToPath(new URL('../support/crash-after-commit.ts', import.meta.url)), [dataDir, 'sale-killed']);
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const eventId = child.stdout.trim();
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    const { runtime } = await startRuntime(modules, { dataDir });
    expect(await recordsOf(runtime, 'till')).toEqual([{ id: 'sale-killed', value: '500' }]);
    await runtime.settled();
    expect(await unpublished(runtime)).toBe(0);
    const handled = await countIn({ runtime }, 'bookkeeper', sql`SELECT count(*) AS n FROM kernel_inbox WHERE event_id = ${eventId} AND status = 'done'`);
    expect(handled).toBe(1);
    expect(await effectsOf(runtime, 'sale-killed')).toBe(1);
    await stopRuntime(runtime);

    const again = await startRuntime(modules, { dataDir });
    await again.runtime.settled();
    expect(await effectsOf(again.runtime, 'sale-killed')).toBe(1);
  }, 60_000);

  it('delivers an event the broker could not take before the process stopped, once, after restart', async () => {
    const first = await startRuntime(modules, { transport: new UnreachableBroker() });
    await first.runtime.use(tillContract).sell({ saleId: 'sale-before-crash', amount: 250 });
    expect(await unpublished(first.runtime)).toBe(1);
    await stopRuntime(first.runtime);
    expect(attempts.filter((a) => a.saleId === 'sale-before-crash')).toEqual([]);

    const second = await startRuntime(modules, { dataDir: first.dataDir });
    await second.runtime.settled();
    expect(await effectsOf(second.runtime, 'sale-before-crash')).toBe(1);
    expect(await unpublished(second.runtime)).toBe(0);
    await stopRuntime(second.runtime);

    const third = await startRuntime(modules, { dataDir: first.dataDir });
    await third.runtime.settled();
    expect(await effectsOf(third.runtime, 'sale-before-crash')).toBe(1);
    expect(attempts.filter((a) => a.saleId === 'sale-before-crash')).toHaveLength(1);
  });

  it('applies an event once when the process died after delivering it but before marking it published', async () => {
    const first = await startRuntime(modules, { transport: new DiesAfterDelivery() });
    await first.runtime.use(tillContract).sell({ saleId: 'sale-delivered-then-crash', amount: 300 });
    await eventually(() => effectsOf(first.runtime, 'sale-delivered-then-crash'), (n) => n === 1, { what: 'the first delivery to be handled' });
    expect(await unpublished(first.runtime)).toBe(1);
    await stopRuntime(first.runtime);

    const second = await startRuntime(modules, { dataDir: first.dataDir });
    await second.runtime.settled();
    expect(await unpublished(second.runtime)).toBe(0);
    expect(await effectsOf(second.runtime, 'sale-delivered-then-crash')).toBe(1);
    expect(attempts.filter((a) => a.saleId === 'sale-delivered-then-crash')).toHaveLength(1);
  });
});
