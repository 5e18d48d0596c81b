import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/kernel/contract.ts';
import { InProcessTransport } from '../../src/kernel/events/local-bus.ts';
import type { Outbox } from '../../src/kernel/events/outbox.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { Kernel } from '../../src/kernel/tokens.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { eventually } from '../support/eventually.ts';
import { attempts, bookkeeperModule, tillContract, tillModule } from '../support/event-modules.ts';
import { recordsOf, sqliteOf, startRuntime, stopAllRuntimes, stopRuntime } from '../support/runtime.ts';

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

const effectsOf = (runtime: Runtime, saleId: string) => recordsOf(runtime, 'bookkeeper').filter((r) => r.value === saleId).length;
const unpublished = (runtime: Runtime) =>
  sqliteOf(runtime, 'till').prepare('SELECT count(*) FROM kernel_outbox WHERE published_at IS NULL').pluck().get() as number;
const outboxRows = (runtime: Runtime) => sqliteOf(runtime, 'till').prepare('SELECT count(*) FROM kernel_outbox').pluck().get() as number;

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
    expect(effectsOf(runtime, 'sale-ok')).toBe(1);
    expect(attempts.filter((a) => a.eventId === eventId)).toHaveLength(1);
    expect(unpublished(runtime)).toBe(0);
  });

  it('never delivers an event published inside a transaction that rolled back', async () => {
    const { runtime } = await startRuntime(modules);
    await expect(runtime.use(tillContract).sell({ saleId: 'sale-rolled-back', amount: 100, thenFail: true })).rejects.toMatchObject({ kind: 'internal' });
    await runtime.settled();
    expect(recordsOf(runtime, 'till')).toEqual([]);
    expect(outboxRows(runtime)).toBe(0);
    expect(effectsOf(runtime, 'sale-rolled-back')).toBe(0);
    expect(attempts.filter((a) => a.saleId === 'sale-rolled-back')).toEqual([]);
  });

  it('refuses to publish outside a transaction', async () => {
    const { runtime } = await startRuntime(modules);
    const outbox = runtime.containerOf('till').get<Outbox>(Kernel.Outbox);
    expect(() => outbox.publish(tillContract.events.sold, { saleId: 'no-tx', amount: 1 })).toThrow(/outside a transaction/);
    expect(outboxRows(runtime)).toBe(0);
  });

  it("refuses to publish another module's event, or a payload that breaks the event's schema", async () => {
    const { runtime } = await startRuntime(modules);
    const outbox = runtime.containerOf('bookkeeper').get<Outbox>(Kernel.Outbox);
    const sqlite = sqliteOf(runtime, 'bookkeeper');
    expect(() => sqlite.transaction(() => outbox.publish(tillContract.events.sold, { saleId: 'x', amount: 1 }))()).toThrow(/only publish its own events/);
    const own = runtime.containerOf('till').get<Outbox>(Kernel.Outbox);
    expect(() => sqliteOf(runtime, 'till').transaction(() => own.publish(tillContract.events.sold, { saleId: 'x', amount: 'ten' } as never))()).toThrow(/breaks its schema/);
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
    expect(recordsOf(runtime, 'till')).toEqual([{ id: 'sale-killed', value: '500' }]);
    await runtime.settled();
    expect(unpublished(runtime)).toBe(0);
    const handled = sqliteOf(runtime, 'bookkeeper').prepare("SELECT count(*) FROM kernel_inbox WHERE event_id = ? AND status = 'done'").pluck().get(eventId);
    expect(handled).toBe(1);
    expect(effectsOf(runtime, 'sale-killed')).toBe(1);
    await stopRuntime(runtime);

    const again = await startRuntime(modules, { dataDir });
    await again.runtime.settled();
    expect(effectsOf(again.runtime, 'sale-killed')).toBe(1);
  }, 60_000);

  it('delivers an event the broker could not take before the process stopped, once, after restart', async () => {
    const first = await startRuntime(modules, { transport: new UnreachableBroker() });
    await first.runtime.use(tillContract).sell({ saleId: 'sale-before-crash', amount: 250 });
    expect(unpublished(first.runtime)).toBe(1);
    await stopRuntime(first.runtime);
    expect(attempts.filter((a) => a.saleId === 'sale-before-crash')).toEqual([]);

    const second = await startRuntime(modules, { dataDir: first.dataDir });
    await second.runtime.settled();
    expect(effectsOf(second.runtime, 'sale-before-crash')).toBe(1);
    expect(unpublished(second.runtime)).toBe(0);
    await stopRuntime(second.runtime);

    const third = await startRuntime(modules, { dataDir: first.dataDir });
    await third.runtime.settled();
    expect(effectsOf(third.runtime, 'sale-before-crash')).toBe(1);
    expect(attempts.filter((a) => a.saleId === 'sale-before-crash')).toHaveLength(1);
  });

  it('applies an event once when the process died after delivering it but before marking it published', async () => {
    const first = await startRuntime(modules, { transport: new DiesAfterDelivery() });
    await first.runtime.use(tillContract).sell({ saleId: 'sale-delivered-then-crash', amount: 300 });
    await eventually(() => effectsOf(first.runtime, 'sale-delivered-then-crash'), (n) => n === 1, { what: 'the first delivery to be handled' });
    expect(unpublished(first.runtime)).toBe(1);
    await stopRuntime(first.runtime);

    const second = await startRuntime(modules, { dataDir: first.dataDir });
    await second.runtime.settled();
    expect(unpublished(second.runtime)).toBe(0);
    expect(effectsOf(second.runtime, 'sale-delivered-then-crash')).toBe(1);
    expect(attempts.filter((a) => a.saleId === 'sale-delivered-then-crash')).toHaveLength(1);
  });
});
