import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { localProxy, remoteProxy } from '../../src/kernel/calls.ts';
import { call, defineContract, type EventEnvelope, type Implementation } from '../../src/kernel/contract.ts';
import { AppError, notFound } from '../../src/kernel/errors.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { NatsTransport } from '../../src/kernel/nats/nats-transport.ts';
import { dropNamespace, SHARED_NATS_URL, uniqueNamespace } from '../../tools/nats-namespaces.ts';
import { eventually } from '../support/eventually.ts';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const namespace = uniqueNamespace('transport');

const calc = defineContract(
  'calc',
  {
    add: call({ input: z.strictObject({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number(), by: z.string() }) }),
    find: call({ input: z.strictObject({ id: z.string() }), output: z.object({ id: z.string() }) }),
    crash: call({ input: z.strictObject({}), output: z.object({}) }),
  },
  {},
);

/** An implementation of `calc` that says which replica answered. */
function calcServer(replica: string) {
  const impl: Implementation<typeof calc> = {
    add: ({ a, b }) => ({ sum: a + b, by: replica }),
    find: ({ id }) => {
      throw notFound(`Widget ${id}`);
    },
    crash: () => {
      throw new Error('secret database path /var/lib/x');
    },
  };
  const proxy = localProxy(calc, impl, logger) as Record<string, (input: unknown) => Promise<unknown>>;
  return (method: string, input: unknown) => proxy[method](input);
}

const transports: NatsTransport[] = [];
async function transport(hostedModules: string[] = []): Promise<NatsTransport> {
  const t = await NatsTransport.connect({ url: SHARED_NATS_URL, logger, rpcTimeoutMs: 2_000, hostedModules, namespace });
  transports.push(t);
  return t;
}

function envelope(type: string, payload: unknown = {}): EventEnvelope {
  return { id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), payload };
}

let server: NatsTransport;
let client: NatsTransport;

beforeAll(async () => {
  server = await transport(['calc']);
  client = await transport();
  await server.serve(calc, calcServer('A'));
});
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await dropNamespace(namespace);
});

describe('NATS transport: calls', () => {
  it('round-trips a call through the contract proxy and measures its latency', async () => {
    const api = remoteProxy(calc, client.remote);
    expect(await api.add({ a: 2, b: 3 })).toEqual({ sum: 5, by: 'A' });
    const n = 300;
    const started = performance.now();
    for (let i = 0; i < n; i++) await api.add({ a: i, b: 1 });
    const sequentialMs = (performance.now() - started) / n;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => api.add({ a: i, b: 1 })));
    const parallelRate = n / ((performance.now() - t0) / 1000);
    console.log(`rpc round trip: ${(sequentialMs * 1000).toFixed(0)} µs sequential; ${parallelRate.toFixed(0)} calls/s with ${n} in flight`);
    expect(sequentialMs).toBeLessThan(250); // a sanity bound only: shared CI machines are noisy
  });

  it('carries typed errors across, and never an internal error message or stack', async () => {
    const notFoundErr = await client.remote.call('calc', 'find', { id: '7' }).catch((e: unknown) => e);
    expect(notFoundErr).toBeInstanceOf(AppError);
    expect(notFoundErr).toMatchObject({ kind: 'not_found', message: 'Widget 7 was not found' });

    const invalid = await client.remote.call('calc', 'add', { a: 'x' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ kind: 'validation' });
    expect((invalid as AppError).errors?.length).toBeGreaterThan(0);

    const crash = (await client.remote.call('calc', 'crash', {}).catch((e: unknown) => e)) as AppError;
    expect(crash).toMatchObject({ kind: 'internal', message: 'Internal error' });
    expect(JSON.stringify(crash.toWire())).not.toContain('/var/lib');

    const unknown = await client.remote.call('calc', 'nope', {}).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ kind: 'not_found' });
  });

  it('answers `unavailable` quickly when no process serves the module, and reports it unreachable', async () => {
    const started = Date.now();
    const err = await client.remote.call('ghost', 'anything', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable' });
    expect((err as AppError).message).toMatch(/Module ghost is unreachable: no process serves it/);
    expect(Date.now() - started).toBeLessThan(1_000); // no-responders, not a timeout
    expect(await client.unreachable(['calc', 'ghost'])).toEqual(['ghost']);
  });

  it('shares calls between replicas of one module (queue group), each call answered once', async () => {
    const ns = uniqueNamespace('queue');
    const mk = (hosted: string[]) => NatsTransport.connect({ url: SHARED_NATS_URL, logger, rpcTimeoutMs: 2_000, hostedModules: hosted, namespace: ns });
    const [a, b, c] = await Promise.all([mk(['calc']), mk(['calc']), mk([])]);
    try {
      await a.serve(calc, calcServer('A'));
      await b.serve(calc, calcServer('B'));
      const replies = (await Promise.all(Array.from({ length: 200 }, (_, i) => c.remote.call('calc', 'add', { a: i, b: 0 })))) as Array<{ sum: number; by: string }>;
      expect(replies.map((r) => r.sum)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const byA = replies.filter((r) => r.by === 'A').length;
      expect(byA).toBeGreaterThan(20);
      expect(200 - byA).toBeGreaterThan(20);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
      await dropNamespace(ns);
    }
  });
});

describe('NATS transport: events', () => {
  /** Subscribes a consumer module on a fresh transport; collects what it stores. */
  async function consumer(name: string, types: string[], fail: (e: EventEnvelope) => boolean = () => false) {
    const received: EventEnvelope[] = [];
    const batchSizes: number[] = [];
    const t = await transport([name]);
    await t.subscribe(name, types, (events) => {
      for (const e of events) if (fail(e)) throw new Error(`inbox refused ${e.id}`);
      received.push(...events);
      batchSizes.push(events.length);
    });
    return { received, batchSizes, transport: t };
  }

  it('delivers published events to a durable consumer, only the types it subscribed to, stored in batches', async () => {
    const { received, batchSizes } = await consumer('listener', ['calc.added']);
    const wanted = Array.from({ length: 250 }, (_, i) => envelope('calc.added', { i }));
    const started = performance.now();
    await client.publish([envelope('calc.other'), ...wanted]);
    const publishedMs = performance.now() - started;
    await eventually(() => received.length, (n) => n >= 250, { what: '250 events received', intervalMs: 5 });
    console.log(`events: 251 published+acked in ${publishedMs.toFixed(0)} ms; all 250 received after ${(performance.now() - started).toFixed(0)} ms`);
    expect(received.map((e) => e.id)).toEqual(wanted.map((e) => e.id)); // stream order
    expect(received.every((e) => e.type === 'calc.added')).toBe(true);
    // Events that arrive together go to the inbox together (one transaction there).
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
  });

  it('stores an event published twice with one id once (JetStream de-duplication)', async () => {
    const { received } = await consumer('dedupe', ['calc.deduped']);
    const once = envelope('calc.deduped', { n: 1 });
    await client.publish([once]);
    await client.publish([once, envelope('calc.deduped', { n: 2 })]);
    await eventually(() => received.length, (n) => n >= 2, { what: 'two events' });
    expect(received.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('redelivers an event whose receive failed, until it is stored', async () => {
    let failures = 0;
    const { received } = await consumer('flaky', ['calc.flaky'], () => failures++ < 2);
    const e = envelope('calc.flaky');
    await client.publish([e]);
    await eventually(() => received.length, (n) => n === 1, { what: 'the event after two failed receives' });
    expect(failures).toBe(3);
    expect(received[0].id).toBe(e.id);
  });

  it('shares one durable consumer between replicas: each event is stored once per module', async () => {
    const r1 = await consumer('shared', ['calc.shared']);
    const r2 = await consumer('shared', ['calc.shared']);
    const events = Array.from({ length: 100 }, (_, i) => envelope('calc.shared', { i }));
    await client.publish(events);
    await eventually(() => r1.received.length + r2.received.length, (n) => n >= 100, { what: '100 events across replicas' });
    const ids = [...r1.received, ...r2.received].map((x) => x.id);
    expect(new Set(ids).size).toBe(100);
    expect(ids.length).toBe(100);
  });

  it('reports connection state and closes cleanly', async () => {
    const t = await transport();
    expect(t.isConnected()).toBe(true);
    await t.close();
    expect(t.isConnected()).toBe(false);
    await t.close(); // idempotent
  });
});
