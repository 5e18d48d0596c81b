import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { on } from '../../src/kernel/events/handlers.ts';
import { InProcessTransport } from '../../src/kernel/events/local-bus.ts';
import { defineModule, type ModuleDefinition } from '../../src/kernel/module.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { attempts, bookkeeperModule, RecordSale, script, soldEnvelope, tillContract, tillModule } from '../support/event-modules.ts';
import { countIn } from '../support/db.ts';
import { recordsOf, startRuntime, stopAllRuntimes, stopRuntime } from '../support/runtime.ts';

/**
 * The consumer's inbox: idempotent through (event id, handler), retried with backoff, dead letters
 * after EVENT_MAX_ATTEMPTS that an operator can see and revive, effects and mark in one transaction.
 */
const MAX_ATTEMPTS = 4;
const RETRY_BASE_MS = 20;

let runtime: Runtime;
const transport = new InProcessTransport();

const effectsOf = async (saleId: string) => (await recordsOf(runtime, 'bookkeeper')).filter((r) => r.value === saleId).length;
const attemptsOf = (saleId: unknown) => attempts.filter((a) => a.saleId === saleId);
const deadLetter = async (eventId: string) => (await runtime.deadLetters()).find((d) => d.eventId === eventId);

beforeAll(async () => {
  ({ runtime } = await startRuntime([tillModule, bookkeeperModule], {
    transport,
    env: { EVENT_MAX_ATTEMPTS: String(MAX_ATTEMPTS), EVENT_RETRY_BASE_MS: String(RETRY_BASE_MS) },
  }));
});
afterAll(stopAllRuntimes);

describe('inbox: each event has its effect once', () => {
  it('applies an event delivered twice only once, whether the copies arrive together or apart', async () => {
    const event = soldEnvelope({ saleId: 'sale-twice', amount: 10 });
    await Promise.all([transport.publish([event]), transport.publish([event])]);
    await runtime.settled();
    await transport.publish([event]);
    await runtime.settled();
    expect(await effectsOf('sale-twice')).toBe(1);
    expect(attemptsOf('sale-twice')).toHaveLength(1);
  });

  it('retries a failing handler with growing backoff, then applies its effect once', async () => {
    script.set('sale-flaky', {
      before: (attempt) => {
        if (attempt <= 3) throw new Error(`ledger busy (attempt ${attempt})`);
      },
    });
    await transport.publish([soldEnvelope({ saleId: 'sale-flaky', amount: 10 })]);
    await runtime.settled();
    const seen = attemptsOf('sale-flaky');
    expect(seen.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    for (let n = 1; n < seen.length; n++) {
      expect(seen[n].at - seen[n - 1].at, `wait before attempt ${n + 1}`).toBeGreaterThanOrEqual(RETRY_BASE_MS * 2 ** (n - 1));
    }
    expect(await effectsOf('sale-flaky')).toBe(1);
    expect(await deadLetter(seen[0].eventId)).toBeUndefined();
  });

  it("commits a handler's effects with its inbox mark: a commit that fails leaves no partial effect and is retried", async () => {
    script.set('sale-commit-fails', {
      inCommit: (attempt) => {
        if (attempt === 1) throw new Error('disk hiccup after the effect was written');
      },
    });
    await transport.publish([soldEnvelope({ saleId: 'sale-commit-fails', amount: 10 })]);
    await runtime.settled();
    expect(attemptsOf('sale-commit-fails').map((a) => a.attempt)).toEqual([1, 2]);
    expect(await effectsOf('sale-commit-fails')).toBe(1);
  });

  // Attempt 1 is handed to the handler as the event is stored; retries are claimed by the dispatcher.
  it('rolls back the effect of a retry whose commit fails after writing it, and applies the event once when a later retry succeeds', async () => {
    script.set('sale-retry-commit-fails', {
      inCommit: (attempt) => {
        if (attempt < MAX_ATTEMPTS) throw new Error(`disk hiccup after the effect was written (attempt ${attempt})`);
      },
    });
    await transport.publish([soldEnvelope({ saleId: 'sale-retry-commit-fails', amount: 10 })]);
    await runtime.settled();
    expect(attemptsOf('sale-retry-commit-fails').map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(await effectsOf('sale-retry-commit-fails')).toBe(1);
  });

  it('leaves no effect of an event whose commit fails on every attempt, and moves it to the dead letters', async () => {
    script.set('sale-commit-always-fails', {
      inCommit: () => {
        throw new Error('disk hiccup after the effect was written');
      },
    });
    const sold = soldEnvelope({ saleId: 'sale-commit-always-fails', amount: 10 });
    await transport.publish([sold]);
    await runtime.settled();
    expect(await effectsOf('sale-commit-always-fails')).toBe(0);
    expect(attemptsOf('sale-commit-always-fails')).toHaveLength(MAX_ATTEMPTS);
    expect(await deadLetter(sold.id)).toMatchObject({ attempts: MAX_ATTEMPTS, lastError: expect.stringContaining('disk hiccup') });
  });
});

describe('inbox: dead letters', () => {
  const admin = () => runtime.tokens.issue({ id: 'operator', role: 'admin' });
  const http = () => request(runtime.http!);
  const alwaysFails = { before: () => { throw new Error('bookkeeping rules reject this sale'); } };
  const dead = soldEnvelope({ saleId: 'sale-hopeless', amount: 10 });

  it('moves an event whose handler always fails to the dead letters after EVENT_MAX_ATTEMPTS', async () => {
    script.set('sale-hopeless', alwaysFails);
    await transport.publish([dead]);
    await runtime.settled();
    expect(attemptsOf('sale-hopeless')).toHaveLength(MAX_ATTEMPTS);
    expect(await deadLetter(dead.id)).toMatchObject({
      module: 'bookkeeper',
      handler: 'RecordSale',
      type: 'till.sold',
      attempts: MAX_ATTEMPTS,
      lastError: expect.stringContaining('bookkeeping rules reject this sale'),
    });
    expect(await effectsOf('sale-hopeless')).toBe(0);
  });

  it('lists dead letters at GET /api/admin/dead-letters, for admins only', async () => {
    const res = await http().get('/api/admin/dead-letters').set('Authorization', `Bearer ${await admin()}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual(expect.objectContaining({ eventId: dead.id, module: 'bookkeeper', attempts: MAX_ATTEMPTS }));
    expect((await http().get('/api/admin/dead-letters')).status).toBe(401);
    const customer = await runtime.tokens.issue({ id: 'customer-1', role: 'customer' });
    expect((await http().get('/api/admin/dead-letters').set('Authorization', `Bearer ${customer}`)).status).toBe(403);
  });

  it('revives a dead letter on request and applies it once the cause is fixed', async () => {
    script.delete('sale-hopeless');
    const { seq } = (await deadLetter(dead.id))!;
    const res = await http().post(`/api/admin/dead-letters/bookkeeper/${seq}/retry`).set('Authorization', `Bearer ${await admin()}`);
    expect(res.status).toBe(200);
    await runtime.settled();
    expect(await effectsOf('sale-hopeless')).toBe(1);
    expect(await deadLetter(dead.id)).toBeUndefined();
    const again = await http().post(`/api/admin/dead-letters/bookkeeper/${seq}/retry`).set('Authorization', `Bearer ${await admin()}`);
    expect(again.status).toBe(404);
  });

  it('treats a payload that breaks the schema as dead on arrival, without calling the handler', async () => {
    const broken = soldEnvelope({ saleId: 'sale-broken', amount: 'ten euros' });
    await transport.publish([broken]);
    await runtime.settled();
    expect(await deadLetter(broken.id)).toMatchObject({ attempts: 0, lastError: expect.stringContaining('payload does not match till.sold v1') });
    expect(attemptsOf('sale-broken')).toEqual([]);
    expect(await effectsOf('sale-broken')).toBe(0);
  });

  it('sends a revived letter whose payload still breaks the schema back to the dead letters, without crashing', async () => {
    const broken = soldEnvelope({ saleId: 'sale-still-broken', amount: 'ten euros' });
    await transport.publish([broken]);
    await runtime.settled();
    const { seq } = (await deadLetter(broken.id))!;
    const res = await http().post(`/api/admin/dead-letters/bookkeeper/${seq}/retry`).set('Authorization', `Bearer ${await admin()}`);
    expect(res.status).toBe(200);
    await runtime.settled();
    expect(await deadLetter(broken.id)).toMatchObject({ attempts: 1, lastError: expect.stringContaining('payload does not match till.sold v1') });
    expect(attemptsOf('sale-still-broken')).toEqual([]);
    expect(await countIn({ runtime }, 'bookkeeper', sql`SELECT count(*) AS n FROM kernel_inbox WHERE status = 'pending'`)).toBe(0);
  });
});

describe('inbox: outcomes are counted', () => {
  it('counts handled, retried and dead runs per module in events_handled_total', async () => {
    const metrics: string = (await request(runtime.http!).get('/metrics')).text;
    const count = (outcome: string) =>
      Number(metrics.match(new RegExp(`^events_handled_total\\{module="bookkeeper",outcome="${outcome}"\\} (\\d+)`, 'm'))?.[1] ?? 0);
    // The tests above: sale-flaky failed three times, sale-hopeless four times before it was dead.
    expect(count('retried')).toBeGreaterThanOrEqual(3 + MAX_ATTEMPTS - 1);
    expect(count('dead')).toBeGreaterThanOrEqual(1);
    expect(count('handled')).toBeGreaterThanOrEqual(3);
  });
});

describe('inbox: a subscription is known by its name, not by its class', () => {
  /** The bookkeeper with its one subscription to till.sold named `name` and handled by `handler`. */
  const bookkeeperWith = (name: string, handler: typeof RecordSale) =>
    defineModule({ ...bookkeeperModule, handlers: [on(tillContract.events.sold, name, handler, [])] });

  /** Starts the till and `bookkeeper` on `dataDir`, delivers `event` and counts the bookkeeper's effects of it. */
  async function deliverTo(bookkeeper: ModuleDefinition, event: ReturnType<typeof soldEnvelope>, dataDir?: string) {
    const bus = new InProcessTransport();
    const started = await startRuntime([tillModule, bookkeeper], { dataDir, transport: bus });
    await bus.publish([event]);
    await started.runtime.settled();
    const effects = (await recordsOf(started.runtime, 'bookkeeper')).filter((r) => r.value === 'sale-renamed').length;
    await stopRuntime(started.runtime);
    return { effects, dataDir: started.dataDir };
  }

  it('does not apply again an event handled before its handler class was renamed, and a new name is a new subscription', async () => {
    const sold = soldEnvelope({ saleId: 'sale-renamed', amount: 10 });
    const first = await deliverTo(bookkeeperWith('RecordSale', RecordSale), sold);
    expect(first.effects).toBe(1);

    // The same handler, its class renamed, keeps its subscription name: the redelivered event was handled already.
    class PostSaleToLedger extends RecordSale {}
    expect((await deliverTo(bookkeeperWith('RecordSale', PostSaleToLedger), sold, first.dataDir)).effects).toBe(1);
    expect(attemptsOf('sale-renamed')).toHaveLength(1);

    // A subscription under another name has handled nothing yet, so it applies the event.
    expect((await deliverTo(bookkeeperWith('PostSaleToLedger', PostSaleToLedger), sold, first.dataDir)).effects).toBe(2);
  });

  it('refuses, as the module is defined, two subscriptions of one module under one name', () => {
    const twice = { ...bookkeeperModule, handlers: [on(tillContract.events.sold, 'RecordSale', RecordSale, []), on(tillContract.events.sold, 'RecordSale', RecordSale, [])] };
    expect(() => defineModule(twice)).toThrow('Module bookkeeper has two subscriptions named RecordSale (to till.sold and to till.sold)');
    expect(() => defineModule({ ...bookkeeperModule, handlers: [on(tillContract.events.sold, ' ', RecordSale, [])] })).toThrow(/without a name/);
  });

  it('refuses to start a module defined without defineModule whose subscriptions share a name', async () => {
    const twice: ModuleDefinition = { ...bookkeeperModule, handlers: [...bookkeeperModule.handlers!, ...bookkeeperModule.handlers!] };
    await expect(startRuntime([tillModule, twice])).rejects.toThrow(/two subscriptions named RecordSale/);
  });
});
