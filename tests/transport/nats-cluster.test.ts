import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { natsNames } from '../../src/kernel/nats/names.ts';
import { NatsTransport } from '../../src/kernel/nats/nats-transport.ts';
import { mapLimit } from '../../tools/map-limit.ts';
import { uniqueNamespace } from '../../tools/nats-namespaces.ts';
import type { TopologySpec } from '../../tools/topology/spec.ts';
import { countOf } from '../support/db.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { NatsCluster } from '../support/nats-cluster.ts';
import { OwnNatsServer } from '../support/own-nats-server.ts';
import { deadLettersEverywhere, START_TIMEOUT_MS, startOnce, startTopology, type TestTopology } from '../support/processes.ts';
import { Journeys, type Customer, type Order } from '../journey/journey-helpers.ts';

/**
 * A broker that survives a node: three local nats-server processes clustered on free ports, each
 * with its own store, and the shop's event stream kept in 3 replicas (NATS_STREAM_REPLICAS=3).
 * First the stream set-up itself (created with 3 replicas, raised from 1, never lowered, refused
 * where the servers cannot hold them); then a split shop taking checkouts while the server that
 * leads the event stream is SIGKILLed and never comes back.
 */

const PAYMENT_MIGRATIONS = fileURLToPath(new URL('../../src/modules/payment/migrations', import.meta.url));

const cluster = startOnce(
  () => NatsCluster.start(3),
  (c) => c.dispose(),
  60_000,
);

/** A client of the test's own on the cluster, to read what the servers hold. */
const admins: NatsConnection[] = [];
async function manager(): Promise<JetStreamManager> {
  const nc = await connect({ servers: cluster().url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  admins.push(nc);
  return jetstreamManager(nc);
}
afterAll(async () => {
  await Promise.all(admins.map((nc) => nc.close().catch(() => undefined)));
});

/** Connects a transport to the cluster with this many stream replicas; log lines land in `lines`. */
async function transport(namespace: string, streamReplicas: number, lines: string[] = [], url = cluster().url): Promise<NatsTransport> {
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  return NatsTransport.connect({ url, namespace, streamReplicas, logger: log, rpcTimeoutMs: 5_000, hostedModules: ['listener'] });
}

describe('NATS cluster: the event stream in replicas', () => {
  it('creates the stream with NATS_STREAM_REPLICAS copies, and durable consumers follow the stream', async () => {
    const namespace = uniqueNamespace('r3');
    const t = await transport(namespace, 3);
    try {
      await t.subscribe('listener', ['thing.happened'], async () => {});
      const jsm = await manager();
      const stream = natsNames(namespace).stream;
      const info = await jsm.streams.info(stream);
      expect(info.config.num_replicas).toBe(3);
      expect(info.cluster?.replicas ?? []).toHaveLength(2); // the leader and two followers
      const consumer = await jsm.consumers.info(stream, 'listener');
      expect(consumer.config.num_replicas ?? 0, 'no count of its own: it follows the stream').toBe(0);
      await eventually(async () => (await jsm.consumers.info(stream, 'listener')).cluster?.replicas?.length ?? 0, (n) => n === 2, { what: 'the consumer on 3 servers' });
    } finally {
      await t.close();
    }
  });

  it('raises an existing single-replica stream to 3 keeping its events, says so, and never lowers it', async () => {
    const namespace = uniqueNamespace('raise');
    const stream = natsNames(namespace).stream;
    const jsm = await manager();
    const one = await transport(namespace, 1);
    const events = Array.from({ length: 5 }, (_, n) => ({ id: randomUUID(), type: 'thing.happened', version: 1, occurredAt: new Date().toISOString(), payload: { n } }));
    await one.publish(events);
    await one.close();
    expect((await jsm.streams.info(stream)).config.num_replicas).toBe(1);

    const lines: string[] = [];
    const three = await transport(namespace, 3, lines);
    await three.close();
    const raised = await jsm.streams.info(stream);
    expect(raised.config.num_replicas).toBe(3);
    expect(raised.state.messages).toBe(5);
    expect(lines.join('\n')).toContain("raised the event stream's replicas from 1 to 3");
    // The copies are made by JetStream: the followers catch up with the 5 events.
    await eventually(async () => (await jsm.streams.info(stream)).cluster?.replicas ?? [], (r) => r.length === 2 && r.every((x) => x.current), { what: 'both new replicas current' });

    const kept: string[] = [];
    const again = await transport(namespace, 1, kept);
    await again.close();
    expect((await jsm.streams.info(stream)).config.num_replicas).toBe(3);
    expect(kept.join('\n')).toContain('never lowered');
  });

  it('refuses more replicas than the cluster has servers, and replicas on a lone server, saying what to do', async () => {
    const err = (await transport(uniqueNamespace('r5'), 5).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/NATS_STREAM_REPLICAS=5: the NATS cluster cannot place 5 copies/);
    const lone = await OwnNatsServer.start();
    try {
      const refused = (await transport(uniqueNamespace('lone'), 3, [], lone.url).catch((e: unknown) => e)) as Error;
      expect(refused.message).toMatch(/NATS_STREAM_REPLICAS=3 needs a JetStream cluster .* not part of a cluster/);
    } finally {
      await lone.dispose();
    }
  });
});

/**
 * Three processes, so calls cross processes on the checkout path (order-taking -> cart) and in
 * the saga (order-processing -> warehouse, payment), and every event goes through the stream.
 */
const threeProcesses: TopologySpec = {
  description: 'The shop side with the API; order taking and processing; fulfilment (payment, warehouse, logistics).',
  processes: [
    { name: 'shop', modules: moduleNames.filter((m) => !['order-taking', 'order-processing', 'payment', 'warehouse', 'logistics'].includes(m)), gateway: true },
    { name: 'orders', modules: ['order-taking', 'order-processing'] },
    { name: 'fulfilment', modules: ['payment', 'warehouse', 'logistics'] },
  ],
};

const CUSTOMERS = 6;
const BEFORE_KILL_MS = 3_000;
const AFTER_KILL_MS = 10_000;
/** NATS_STREAM_REPLICAS of the shop; set 1 by hand to see the test fail (the stream dies with its server). */
const REPLICAS = '3';

describe('NATS cluster: a split shop loses the server leading its event stream', () => {
  it('settles every accepted order, handles every event once, buries none', async () => {
    const nats = cluster();
    const timings: Record<string, number> = {};
    let t0 = Date.now();
    let shop: TestTopology | undefined;
    try {
      shop = await startTopology(threeProcesses, { needsNats: false, env: { NATS_URL: nats.url, NATS_STREAM_REPLICAS: REPLICAS } });
      timings.startMs = Date.now() - t0;
      const { stream, allEvents } = natsNames(shop.namespace);
      const journeys = new Journeys(shop.gatewayUrl);
      const product = await journeys.product({ price: 1500, onHand: 1_000, name: 'Failover fern' });
      const customers: Customer[] = await mapLimit(Array.from({ length: CUSTOMERS }), 3, () => journeys.customer());

      // Every consumer is in place and the stream's copies are current before a server goes.
      const jsm = await manager();
      expect((await jsm.streams.info(stream)).config.num_replicas).toBe(Number(REPLICAS));
      const placement = await eventually(() => nats.streamPlacement(stream), (p) => p?.followers.length === Number(REPLICAS) - 1 && p.followers.every((f) => f.current), {
        what: `the placement of ${stream} (monitoring API)`,
      });

      // Customers check out one order after another, all at once, until told to stop.
      t0 = Date.now();
      const accepted: Array<{ customer: number; orderId: string }> = [];
      const refused: string[] = [];
      let running = true;
      const shopping = customers.map(async (c, i) => {
        while (running) {
          const outcome = await buyOne(journeys, c, product.id);
          if (outcome.orderId) accepted.push({ customer: i, orderId: outcome.orderId });
          if (outcome.answers.length) refused.push(...outcome.answers);
        }
      });

      await new Promise((r) => setTimeout(r, BEFORE_KILL_MS));
      const acceptedBeforeKill = accepted.length;
      const victim = (await nats.streamPlacement(stream))?.leader ?? placement!.leader;
      await nats.kill(victim);
      const killedAt = Date.now();
      await new Promise((r) => setTimeout(r, AFTER_KILL_MS));
      running = false;
      await Promise.all(shopping);
      timings.checkoutMs = Date.now() - t0;
      const acceptedAfterKill = accepted.filter((_, i) => i >= acceptedBeforeKill).length;
      expect(acceptedBeforeKill, 'orders taken before the kill').toBeGreaterThan(0);
      expect(acceptedAfterKill, 'orders taken after the kill').toBeGreaterThan(0);

      // Every accepted order reaches `paid`, on the two servers left.
      t0 = Date.now();
      let paid: Order[] = [];
      await eventually(
        async () => {
          paid = await mapLimit(accepted, 4, (a) => journeys.order(customers[a.customer], a.orderId));
          return summarise(paid.map((o) => `${o.status}${o.cancelReason ? ` (${o.cancelReason})` : ''}`));
        },
        () => paid.every((o) => o.status === 'paid'),
        { timeoutMs: 60_000, intervalMs: 500, what: `all ${accepted.length} accepted orders to be paid` },
      );
      timings.settleMs = Date.now() - t0;
      timings.settledAfterKillMs = Date.now() - killedAt;
      for (const o of paid) expect(o.history.map((h) => h.status), o.id).toEqual(['placed', 'stock_reserved', 'paid']);
      const newLeader = (await nats.streamPlacement(stream))?.leader;
      expect(newLeader, 'the stream is led by a server still running').toBeDefined();
      expect(newLeader).not.toBe(victim);

      // Every durable consumer has delivered everything and holds no unacknowledged event: an
      // event whose ack was lost with the server has been redelivered (after the ack wait) by
      // now, so the counts below include any repeat the inboxes had to drop.
      t0 = Date.now();
      let unackedAtFirst: number | undefined;
      const consumers = await eventually(
        async () => {
          const all = [];
          for await (const c of jsm.consumers.list(stream)) {
            // A consumer taking every event (servers before 2.10): deliveries beyond the stream's sequence are redeliveries.
            const repeats = c.config.filter_subject === allEvents ? c.delivered.consumer_seq - c.delivered.stream_seq : undefined;
            all.push({ name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending, repeats });
          }
          unackedAtFirst ??= all.reduce((n, c) => n + c.ackPending, 0);
          return all;
        },
        (all) => all.length > 0 && all.every((c) => c.pending === 0 && c.ackPending === 0),
        { timeoutMs: 60_000, intervalMs: 500, what: 'every consumer of the stream with nothing pending' },
      );
      timings.drainMs = Date.now() - t0;
      const repeats = consumers.every((c) => c.repeats !== undefined) ? String(consumers.reduce((n, c) => n + c.repeats!, 0)) : 'unknown (filtered consumers)';

      // No order beyond the accepted ones (a checkout whose answer was lost was retried with its
      // key, which answers with the same order), and none stuck.
      const listed = await mapLimit(customers, 3, (c) => journeys.api.everyItem<{ id: string; status: string }>('/api/orders', c.token));
      expect(listed.flat().map((o) => o.id).sort()).toEqual(accepted.map((a) => a.orderId).sort());

      // Each event handled once, counted by its effects. Payment: one capture per paid order...
      const ledger = await openTestModuleDb(shop.dataDir, 'payment', PAYMENT_MIGRATIONS);
      try {
        const captures = await ledger.rows<{ orderId: string }>(
          sql`SELECT p.order_id AS "orderId" FROM gateway_charges g JOIN payments p ON p.id = g.idempotency_key WHERE g.status = 'captured'`,
        );
        expect(captures.map((c) => c.orderId).sort()).toEqual(paid.map((o) => o.id).sort());
        expect(await countOf(ledger, sql`SELECT count(*) AS n FROM gateway_charges WHERE status = 'captured'`)).toBe(paid.length);
      } finally {
        await ledger.close();
      }
      // ...warehouse: the units reserved are the units ordered...
      const units = paid.reduce((n, o) => n + o.items.reduce((m, line) => m + line.quantity, 0), 0);
      expect(await journeys.stock(product.id)).toMatchObject({ onHand: 1_000, reserved: units });
      // ...notification: one "placed" and one "paid" notice per order, no more.
      const perCustomer = customers.map((_, i) => accepted.filter((a) => a.customer === i).length);
      const notices = await eventually(
        () => mapLimit(customers, 3, async (c) => (await journeys.api.everyItem<{ id: string; kind: string }>('/api/notifications', c.token)).map((n) => n.kind)),
        (all) => all.every((kinds, i) => kinds.filter((k) => k === 'order_paid').length >= perCustomer[i]),
        { timeoutMs: 30_000, intervalMs: 300, what: 'every order notice' },
      );
      notices.forEach((kinds, i) => {
        expect(kinds.filter((k) => k === 'order_placed').length, `customer ${i}: order_placed`).toBe(perCustomer[i]);
        expect(kinds.filter((k) => k === 'order_paid').length, `customer ${i}: order_paid`).toBe(perCustomer[i]);
      });
      expect(await deadLettersEverywhere(shop.gatewayUrl, await journeys.adminToken())).toEqual([]);

      console.log(
        `nats cluster: killed ${victim} (stream leader; followers ${placement!.followers.map((f) => f.name).join(', ')}; new leader ${newLeader}); ` +
          `${accepted.length} orders accepted (${acceptedBeforeKill} before the kill, ${acceptedAfterKill} after), ` +
          `answers other than success: ${summarise(refused)}; ` +
          `${unackedAtFirst} deliveries still unacknowledged across ${consumers.length} consumers once all orders were paid, ${repeats} redeliveries in all; ` +
          `shop start ${timings.startMs} ms, checkouts ${timings.checkoutMs} ms, all paid ${timings.settleMs} ms after they stopped ` +
          `(${timings.settledAfterKillMs} ms after the kill), every consumer drained ${timings.drainMs} ms after that`,
      );
    } finally {
      await shop?.stop();
    }
  }, START_TIMEOUT_MS + 180_000);
});

/**
 * One order as a careful client places it: the cart gets a unit, the checkout goes out with an
 * Idempotency-Key and, if its answer is an error the client may retry (503 while a neighbour or
 * the broker is away, 409 while the same key is in progress), goes out again with the same key.
 */
async function buyOne(journeys: Journeys, c: Customer, productId: string): Promise<{ orderId?: string; answers: string[] }> {
  const retryable = (s: number) => s === 503 || s === 409 || s === 502 || s === 504;
  /** Every answer other than success, for the summary. */
  const answers: string[] = [];
  // As a customer sees it: the cart is empty again once the last order took its units out (the
  // cart hears of the order by event, so after a failover this may take a few seconds).
  try {
    await eventually(async () => (await journeys.api.get('/api/cart', c.token)).body.items?.length, (n) => n === 0, { timeoutMs: 45_000, intervalMs: 100, what: 'the cart emptied by the last order' });
  } catch {
    return { answers: ['cart never emptied'] };
  }
  for (let i = 0; ; i++) {
    const res = await journeys.api.post('/api/cart/items', { productId, quantity: 1 }, c.token);
    if (res.status === 200) break;
    answers.push(`cart ${res.status}`);
    if (!retryable(res.status) || i === 20) return { answers };
    await new Promise((r) => setTimeout(r, 200));
  }
  const key = randomUUID();
  for (let i = 0; i < 30; i++) {
    const res = await journeys.checkout(c, { key });
    if (res.status === 202) return { orderId: res.body.id as string, answers };
    answers.push(`checkout ${res.status}`);
    if (!retryable(res.status)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { answers: [...answers, 'checkout given up'] };
}

function summarise(whys: string[]): string {
  const counts = new Map<string, number>();
  for (const w of whys) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, n]) => `${n} x ${w}`).join(', ') || 'none';
}
