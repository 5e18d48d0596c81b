import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../tools/map-limit.ts';
import { eventually } from '../support/eventually.ts';
import { deadLettersEverywhere, START_TIMEOUT_MS, startTopology, type TestTopology } from '../support/processes.ts';
import { expectStatus, Journeys, type Customer, type Order } from '../journey/journey-helpers.ts';

/**
 * A process sent SIGTERM while checkouts are in flight. A graceful stop closes the listener (or
 * stops answering calls), finishes what it already took, drains what it can and exits; what it
 * could not finish (sagas not yet run, events not yet relayed) waits durably in its inbox and
 * outbox for the next start. No accepted order may be lost, and nobody gets a 500.
 */

/** The SIGTERM goes out when this many checkouts have been accepted. */
const ACCEPTED_BEFORE_SIGTERM = 6;
/** The last customers check out only once the process is gone. */
const AFTER_EXIT = 3;

interface Outcome {
  status: number | null;
  orderId?: string;
  /** The network error when there was no HTTP answer. */
  error?: string;
  sentAfterSigterm: boolean;
  /** Sent once the process had exited. */
  afterExit: boolean;
}

/** Customers with one unit of a fresh product in their carts, and an idempotency key each. */
async function shoppers(journeys: Journeys, count: number) {
  const product = await journeys.product({ price: 1200, onHand: 100 });
  const customers: Customer[] = await mapLimit(Array.from({ length: count }), 6, () => journeys.customer());
  await mapLimit(customers, 6, (c) => journeys.addToCart(c, product.id, 1));
  return { product, customers, keys: customers.map(() => randomUUID()) };
}

/**
 * Checks the customers out four at a time; once ACCEPTED_BEFORE_SIGTERM were accepted, `sigterm`
 * is called (it sends the signal at once and resolves when the process has exited) and the batch
 * keeps coming while it shuts down; the last AFTER_EXIT customers check out once it is gone.
 */
async function burstWithSigterm(journeys: Journeys, customers: Customer[], keys: string[], sigterm: () => Promise<void>) {
  const signal: { sent?: { at: number; exited: Promise<void> }; exited?: boolean } = {};
  let accepted = 0;
  const checkout = async (i: number): Promise<Outcome> => {
    const sentAfterSigterm = signal.sent !== undefined;
    const afterExit = signal.exited === true;
    return journeys.checkout(customers[i], { key: keys[i] }).then(
      (res) => ({ status: res.status, orderId: res.status === 202 ? (res.body.id as string) : undefined, sentAfterSigterm, afterExit }),
      (err: NodeJS.ErrnoException) => ({ status: null, error: networkError(err), sentAfterSigterm, afterExit }),
    );
  };
  const burst = customers.slice(0, -AFTER_EXIT);
  const outcomes: Outcome[] = await mapLimit(burst, 4, async (_, i) => {
    const outcome = await checkout(i);
    if (outcome.status === 202 && ++accepted === ACCEPTED_BEFORE_SIGTERM) signal.sent = { at: Date.now(), exited: sigterm() };
    return outcome;
  });
  if (!signal.sent) throw new Error(`fewer than ${ACCEPTED_BEFORE_SIGTERM} checkouts were accepted: ${JSON.stringify(outcomes)}`);
  await signal.sent.exited;
  const stopMs = Date.now() - signal.sent.at;
  signal.exited = true;
  for (let i = burst.length; i < customers.length; i++) outcomes.push(await checkout(i));
  return { outcomes, stopMs };
}

/**
 * After the restart: every accepted order reaches paid; the customers who were refused send the
 * same checkout again (same key) and are served; then each customer has exactly one order, paid,
 * charged once, and the stock holds one unit per order.
 */
async function everyOrderCompletes(journeys: Journeys, shop: { customers: Customer[]; keys: string[]; product: { id: string } }, outcomes: Outcome[]) {
  const { customers, keys, product } = shop;
  const accepted = outcomes.flatMap((o, i) => (o.status === 202 ? [{ customer: customers[i], orderId: o.orderId! }] : []));
  expect(accepted.length).toBeGreaterThanOrEqual(ACCEPTED_BEFORE_SIGTERM);
  await mapLimit(accepted, 6, ({ customer, orderId }) => journeys.reaches(customer, orderId, 'paid', () => true, 45_000));

  const ids = await mapLimit(customers, 6, async (c, i) =>
    outcomes[i].status === 202 ? outcomes[i].orderId! : (expectStatus(await journeys.checkout(c, { key: keys[i] }), 202).body.id as string));
  const orders: Order[] = await mapLimit(customers, 6, async (c, i) => {
    expect((await journeys.api.get('/api/orders', c.token)).body.total, c.id).toBe(1);
    return journeys.reaches(c, ids[i], 'paid', () => true, 45_000);
  });
  for (const o of orders) expect(o.history.map((h) => h.status)).toEqual(['placed', 'stock_reserved', 'paid']);
  await mapLimit(orders, 6, async (o) => expect((await journeys.payments(o.id)).filter((p) => p.status === 'captured'), o.id).toHaveLength(1));
  await eventually(() => journeys.stock(product.id), (s) => s.reserved === customers.length, { what: 'one unit reserved per order' });
  expect(await journeys.stock(product.id)).toMatchObject({ onHand: 100, reserved: customers.length });
}

let monolith: TestTopology | undefined;
let split: TestTopology | undefined;
afterAll(async () => {
  await monolith?.stop();
  await split?.stop();
});

describe('faults: SIGTERM with checkouts in flight', () => {
  it('the monolith (one process): loses no accepted order, refuses later requests cleanly, finishes everything after a restart', async () => {
    monolith = await startTopology('monolith');
    const shopProcess = monolith.processes.get('shop')!;
    const journeys = new Journeys(monolith.gatewayUrl);
    const shop = await shoppers(journeys, 24);
    const { outcomes, stopMs } = await burstWithSigterm(journeys, shop.customers, shop.keys, () => shopProcess.kill('SIGTERM'));
    // Well inside main.ts's 20 s limit, after which it would give up and exit(1).
    expect(stopMs).toBeLessThan(15_000);

    // Never a 500: taken (202), refused by the draining server (503 + Connection: close), or a
    // closed door. ECONNRESET is a request written into a pooled keep-alive connection just as
    // the stopping server closed it while idle: it was never read, so it may safely be sent again.
    for (const o of outcomes) {
      if (o.status !== null) expect([202, 503], JSON.stringify(o)).toContain(o.status);
      else expect(['ECONNREFUSED', 'ECONNRESET'], JSON.stringify(o)).toContain(o.error);
    }
    expect(outcomes.filter((o) => o.sentAfterSigterm).length).toBeGreaterThan(AFTER_EXIT);
    for (const o of outcomes.filter((o) => o.afterExit)) expect(o.error).toBe('ECONNREFUSED');

    // The same process again: same port, same data directory.
    shopProcess.start();
    await shopProcess.waitReady(START_TIMEOUT_MS);
    await everyOrderCompletes(journeys, shop, outcomes);
    expect(await deadLettersEverywhere(monolith.gatewayUrl, await journeys.adminToken())).toEqual([]);
  }, START_TIMEOUT_MS);

  it('orders-apart: the process of the order flow stopped mid-burst loses nothing; the gateway answers 503 meanwhile, never 500', async () => {
    split = await startTopology('orders-apart');
    const journeys = new Journeys(split.gatewayUrl);
    const orders = split.processes.get('orders')!;
    const shop = await shoppers(journeys, 16);
    const { outcomes, stopMs } = await burstWithSigterm(journeys, shop.customers, shop.keys, () => orders.stop());
    expect(stopMs).toBeLessThan(15_000);
    // The gateway stays up: every checkout gets an answer, taken or "unavailable, try again".
    for (const o of outcomes) expect([202, 503], JSON.stringify(o)).toContain(o.status);
    for (const o of outcomes.filter((o) => o.afterExit)) expect(o.status).toBe(503);

    orders.start();
    await orders.waitReady(START_TIMEOUT_MS);
    await everyOrderCompletes(journeys, shop, outcomes);
    expect(await deadLettersEverywhere(split.gatewayUrl, await journeys.adminToken())).toEqual([]);
  }, START_TIMEOUT_MS);
});

/** The error code of a request that got no HTTP answer ("ECONNREFUSED: Connection refused" -> ECONNREFUSED). */
function networkError(err: NodeJS.ErrnoException): string {
  const text = err.code ?? err.message;
  return /^E[A-Z]+/.exec(text)?.[0] ?? text;
}
