import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../tools/map-limit.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { deadLettersEverywhere, START_TIMEOUT_MS, startOnce, startTopology } from '../support/processes.ts';
import { expectStatus, Journeys, type Customer, type Order } from '../journey/journey-helpers.ts';

/**
 * split-all: the payment process dies (SIGKILL) in the middle of a batch of checkouts and is
 * started again. Charges cut short, and charges asked for while no process served payment, are
 * retried by the saga (the inbox redelivers order.placed; the payment's idempotency by order makes
 * the repeat harmless): every order ends paid, charged once, and nothing lands in dead letters.
 */

const CUSTOMERS = 20;
const PAYMENT_MIGRATIONS = fileURLToPath(new URL('../../src/modules/payment/migrations', import.meta.url));

const topology = startOnce(
  () =>
    startTopology('split-all', {
      // The kernel's default backoff (200 ms, doubling up to 30 s) rather than the 20 ms of the
      // other tests: it only spaces the retries while payment restarts. It is not what keeps the
      // dead letters empty: a neighbour answering `unavailable` is retried for as long as it takes,
      // past EVENT_MAX_ATTEMPTS, so an outage of any length delays orders and buries none
      // (tests/modules/order-processing/recovery.test.ts shows it in one process).
      env: { EVENT_RETRY_BASE_MS: '200' },
    }),
  (t) => t.stop(),
);

describe('faults (split-all): the payment process killed during a batch of checkouts', () => {
  it('completes every order with exactly one capture once payment is back, leaving no dead letters', async () => {
    const shop = topology();
    const journeys = new Journeys(shop.gatewayUrl);
    const payment = shop.processes.get('payment')!;
    const product = await journeys.product({ price: 1900, onHand: 100 });
    const customers: Customer[] = await mapLimit(Array.from({ length: CUSTOMERS }), 5, () => journeys.customer());
    await mapLimit(customers, 5, (c, i) => journeys.addToCart(c, product.id, 1 + (i % 2)));

    // Fire the batch four at a time; the fifth acceptance pulls the plug on payment, the rest of
    // the batch is taken while no process serves payment.
    let accepted = 0;
    let killed: Promise<void> | null = null;
    let acceptedWhilePaymentDown = 0;
    const answers = await mapLimit(customers, 4, async (c) => {
      const res = await journeys.checkout(c);
      if (res.status === 202) {
        accepted++;
        if (killed && !payment.isRunning()) acceptedWhilePaymentDown++;
        if (accepted === 5) killed = payment.kill('SIGKILL');
      }
      return res;
    });
    await killed;
    expect(payment.isRunning()).toBe(false);
    // Taking orders needs no payment: every checkout is accepted, kill or not.
    for (const a of answers) expectStatus(a, 202);
    expect(acceptedWhilePaymentDown).toBeGreaterThan(0);

    payment.start();
    await payment.waitReady(START_TIMEOUT_MS);

    const orderIds = answers.map((a) => a.body.id as string);
    const orders: Order[] = await eventually(
      () => mapLimit(customers, 5, (c, i) => journeys.order(c, orderIds[i])),
      (all) => all.every((o) => o.status === 'paid'),
      { timeoutMs: 90_000, intervalMs: 500, what: 'every order of the batch to be paid' },
    );
    for (const o of orders) expect(o.history.map((h) => h.status)).toEqual(['placed', 'stock_reserved', 'paid']);

    // Exactly one captured payment per order, for the order's total, as the shop reports it...
    await mapLimit(orders, 5, async (o) => {
      const payments = await journeys.payments(o.id);
      expect(payments, o.id).toEqual([expect.objectContaining({ status: 'captured', amount: o.total })]);
    });
    // ...and as the card processor's ledger has it: one capture per order, nothing more.
    // The payment module's database, on the run's engine, opened as the kernel opens it (only read here).
    const ledger = await openTestModuleDb(shop.dataDir, 'payment', PAYMENT_MIGRATIONS);
    try {
      const captures = await ledger.rows<{ orderId: string; amount: number }>(
        sql`SELECT p.order_id AS "orderId", g.amount FROM gateway_charges g JOIN payments p ON p.id = g.idempotency_key WHERE g.status = 'captured'`,
      );
      const [total] = await ledger.rows<{ n: number }>(sql`SELECT count(*) AS n FROM gateway_charges WHERE status = 'captured'`);
      expect(Number(total.n)).toBe(CUSTOMERS);
      expect(captures.map((c) => c.orderId).sort()).toEqual([...orderIds].sort());
      for (const o of orders) expect(captures.find((c) => c.orderId === o.id)?.amount).toBe(o.total);
    } finally {
      await ledger.close();
    }

    expect(await journeys.stock(product.id)).toMatchObject({ onHand: 100, reserved: orders.reduce((n, o) => n + o.items[0].quantity, 0) });
    expect(await deadLettersEverywhere(shop.gatewayUrl, await journeys.adminToken())).toEqual([]);
  }, 180_000);
});
