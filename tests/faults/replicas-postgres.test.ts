import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { ORDER_STATUSES } from '../../src/modules/order-processing/contract.ts';
import { schemaOf } from '../../src/kernel/persistence/postgres-connect.ts';
import { mapLimit } from '../../tools/map-limit.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import type { ManagedProcess } from '../../tools/topology/child.ts';
import type { TopologySpec } from '../../tools/topology/spec.ts';
import { databaseFor } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { START_TIMEOUT_MS, startOnce, startTopology } from '../support/processes.ts';
import { expectStatus, Journeys, type Customer } from '../journey/journey-helpers.ts';

/**
 * issue 15, "Replicas share the work correctly": split-all on one PostgreSQL database with two
 * replicas each of catalog, order-taking, order-processing, payment and warehouse (18 processes,
 * each with a private DATA_DIR: the schemas are all they share, with NATS). Concurrent checkouts
 * contend for scarce stock, some with a card that is declined, some cancelled by their customer
 * while the saga runs (on either replica), while one replica each of order-processing, warehouse
 * and payment is SIGKILLed at a different moment and started again. Then the module schemas are
 * read directly: every accepted order settled, one capture per paid order and none left standing
 * otherwise, reserved units equal paid units, every event published once and handled exactly once
 * by every handler that takes it (inbox rows counted against the outboxes), every counted effect
 * (notices, popularity) applied once, no dead letter.
 *
 * It is in the sqlite project's files only (not in vitest.config.ts's ON_BOTH_ENGINES), so it runs
 * once, and puts the shop on PostgreSQL itself (databaseFor), whatever the project's engine.
 */

const REPLICATED = ['catalog', 'order-taking', 'order-processing', 'payment', 'warehouse'];
const replicas: TopologySpec = {
  description: 'split-all with two replicas of the busy modules, all on one PostgreSQL database',
  processes: [
    { name: 'gateway', modules: [], gateway: true },
    ...moduleNames.flatMap((m) => (REPLICATED.includes(m) ? [1, 2].map((n) => ({ name: `${m}-${n}`, modules: [m] })) : [{ name: m, modules: [m] }])),
  ],
};

const CUSTOMERS = 16;
/** Scarce units: more asked for than there are, so reservations on the two warehouse replicas contend. */
const STOCK = { lamp: 6, chair: 5, mug: 200 };
const DECLINED = 'tok_chargeDeclined';
/** Customers (by index) whose card is declined. */
const DECLINERS = new Set([5, 9, 14]);
/** Customers (by index) who cancel, and how long after their checkout was accepted. */
const CANCELLERS = new Map([[1, 0], [6, 400], [11, 1500]]);
/** 18 Node processes starting at once on two cores (busy with other work, often): longer than split-all's 13 get. */
const STARTUP_MS = START_TIMEOUT_MS + 120_000;

let pg: postgres.Sql | undefined;
afterAll(() => pg?.end({ timeout: 5 }));

const topology = startOnce(
  async () => {
    // Only names the run's database (databaseFor remembers it there): no process uses it as its DATA_DIR.
    const shared = tempDataDir('cleave-replicas-');
    const databaseUrl = await databaseFor(shared, { migrated: true });
    pg = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    return startTopology(replicas, {
      dataDir: shared,
      env: {
        DATABASE_URL: databaseUrl,
        // 17 processes with a module each, two connections plus a cache listener each: about 50 of the server's 100.
        DATABASE_POOL_SIZE: '2',
        // A crashed replica's claimed events wait this long for another replica (above the RPC timeout, 5 s).
        EVENT_LEASE_MS: '6000',
        EVENT_RETRY_BASE_MS: '100',
        // 17 processes polling their inbox and outbox: less often than the tests' 200 ms (events wake them anyway).
        EVENT_POLL_MS: '500',
      },
      // Nothing on disk is shared: every process has a directory of its own (kept across its restart).
      envOf: (p) => ({ DATA_DIR: tempDataDir(`cleave-${p.name}-`) }),
      readyTimeoutMs: STARTUP_MS,
    });
  },
  (t) => t.stop(),
  STARTUP_MS + 30_000,
);

const db = () => pg!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Plan {
  customer: Customer;
  lines: Array<{ productId: string; quantity: number }>;
  token: string;
  /** Set: the customer cancels this long after the checkout was accepted. */
  cancelAfterMs?: number;
}

describe('faults: two replicas of the order modules on PostgreSQL, replicas killed during checkouts', () => {
  it('settles every accepted order once: one capture per paid order, no oversell, every event handled once per handler, no dead letter', async () => {
    const shop = topology();
    const started = Date.now();
    const journeys = new Journeys(shop.gatewayUrl);
    const [lamp, chair, mug] = await Promise.all([
      journeys.product({ onHand: STOCK.lamp, name: 'Brass lamp', price: 4200 }),
      journeys.product({ onHand: STOCK.chair, name: 'Oak chair', price: 9900 }),
      journeys.product({ onHand: STOCK.mug, name: 'Stoneware mug', price: 1200 }),
    ]);
    const onHand = new Map([[lamp.id, STOCK.lamp], [chair.id, STOCK.chair], [mug.id, STOCK.mug]]);
    const customers: Customer[] = await mapLimit(Array.from({ length: CUSTOMERS }), 4, () => journeys.customer());
    // Every other customer wants a lamp (8 > 6), every third two chairs (12 > 5), everyone a mug;
    // three pay with a card that is declined (one of them buys only mugs, so a decline is certain
    // to be seen, not always beaten by a shortage); three cancel soon after checking out, at
    // different steps of their saga (the cancel call lands on either order-processing replica,
    // the saga may be running on the other).
    const plans: Plan[] = customers.map((customer, i) => ({
      customer,
      lines: [
        ...(i % 2 === 0 ? [{ productId: lamp.id, quantity: 1 }] : []),
        ...(i % 3 === 0 ? [{ productId: chair.id, quantity: 2 }] : []),
        { productId: mug.id, quantity: 1 + (i % 2) },
      ],
      token: DECLINERS.has(i) ? DECLINED : 'tok_visa',
      cancelAfterMs: CANCELLERS.get(i),
    }));
    await mapLimit(plans, 4, async (p) => {
      for (const l of p.lines) await journeys.addToCart(p.customer, l.productId, l.quantity);
    });
    const ready = Date.now();

    // The kills: one replica of each saga module, at three moments of the batch, each started
    // again (same environment, same private DATA_DIR) while the others carry the load.
    const unsettledAtKill: Record<string, number> = {};
    const restarts: Array<Promise<void>> = [];
    const crash = (name: string) => {
      const p: ManagedProcess = shop.processes.get(name)!;
      restarts.push(
        (async () => {
          unsettledAtKill[name] = await unsettledOrders();
          await p.kill('SIGKILL');
          await sleep(500);
          p.start();
          await p.waitReady(STARTUP_MS);
        })(),
      );
    };
    const killAt = new Map([[3, 'order-processing-1'], [8, 'warehouse-2'], [13, 'payment-1']]);
    const cancels: Array<Promise<number>> = [];
    let accepted = 0;
    const answers = await mapLimit(plans, 3, async (p) => {
      const res = await journeys.checkout(p.customer, { paymentToken: p.token });
      if (res.status === 202) {
        accepted++;
        const victim = killAt.get(accepted);
        if (victim) crash(victim);
        if (p.cancelAfterMs !== undefined) cancels.push(sleep(p.cancelAfterMs).then(() => cancel(journeys, p.customer, res.body.id)));
      }
      return res;
    });
    // None of the killed modules is on the checkout's path: every checkout is taken.
    for (const a of answers) expectStatus(a, 202);
    const orderIds = answers.map((a) => a.body.id as string);
    const planOf = new Map(orderIds.map((id, i) => [id, plans[i]]));
    // Every cancellation is taken (some after a 503 while a neighbour was down or a charge in flight).
    expect(await Promise.all(cancels)).toEqual(Array.from({ length: CANCELLERS.size }, () => 202));

    // Settled, as order-processing's saga has it: paid and booked for shipping, or cancelled. The
    // restarted replicas must be up too (their starts are part of what has to work).
    let lowestAvailable = Infinity;
    const sagas = await eventually(
      async () => {
        const [{ low }] = await db()<Array<{ low: number }>>`SELECT min(on_hand - reserved) AS low FROM warehouse.stock`;
        lowestAvailable = Math.min(lowestAvailable, Number(low));
        return db()<Array<{ orderId: string; status: string; cancelReason: string | null; payment: string | null; stock: string; trackingNumber: string | null }>>`
          SELECT order_id AS "orderId", status, cancel_reason AS "cancelReason", payment, stock, tracking_number AS "trackingNumber"
          FROM order_processing.order_sagas WHERE order_id IN ${db()(orderIds)}`;
      },
      (rows) => rows.length === orderIds.length && rows.every((s) => (s.status === 'paid' && s.trackingNumber !== null) || s.status === 'cancelled'),
      { timeoutMs: 90_000, intervalMs: 250, what: 'every accepted order to settle' },
    );
    await Promise.all(restarts);
    // Each replica died with orders in flight.
    expect(Object.keys(unsettledAtKill).sort()).toEqual(['order-processing-1', 'payment-1', 'warehouse-2']);
    for (const n of Object.values(unsettledAtKill)) expect(n).toBeGreaterThan(0);
    const settled = Date.now();

    // Then every module's queues run dry: nothing pending in any inbox, nothing unrelayed in any outbox.
    const schemas = moduleNames.map(schemaOf);
    await eventually(
      async () => {
        let left = 0;
        for (const s of schemas) {
          const [row] = await db()<Array<{ n: string }>>`
            SELECT (SELECT count(*) FROM ${db()(s)}.kernel_inbox WHERE status = 'pending')
                 + (SELECT count(*) FROM ${db()(s)}.kernel_outbox WHERE published_at IS NULL) AS n`;
          left += Number(row.n);
        }
        return left;
      },
      (left) => left === 0,
      { timeoutMs: 30_000, intervalMs: 250, what: 'every inbox and outbox to run dry' },
    );

    // --- Orders: settled as the card, the stock and the customer decided, and the customer's view agrees.
    const byId = new Map(sagas.map((s) => [s.orderId, s]));
    const paid = sagas.filter((s) => s.status === 'paid').map((s) => s.orderId);
    const cancelled = sagas.filter((s) => s.status === 'cancelled').map((s) => s.orderId);
    const reasonOf = (id: string) => byId.get(id)!.cancelReason;
    for (const id of orderIds) {
      const plan = planOf.get(id)!;
      const { status, cancelReason } = byId.get(id)!;
      // Out of stock can overtake anything: the reservation comes first.
      if (plan.cancelAfterMs !== undefined) expect({ status, reason: ['customer_request', 'out_of_stock'].includes(cancelReason!) }, id).toEqual({ status: 'cancelled', reason: true });
      else if (plan.token === DECLINED) expect({ status, reason: ['payment_declined', 'out_of_stock'].includes(cancelReason!) }, id).toEqual({ status: 'cancelled', reason: true });
      else if (status === 'cancelled') expect(cancelReason, id).toBe('out_of_stock');
    }
    expect(paid.length).toBeGreaterThan(0);
    for (const reason of ['out_of_stock', 'payment_declined', 'customer_request']) expect(cancelled.filter((id) => reasonOf(id) === reason).length, reason).toBeGreaterThan(0);
    const views = await db()<Array<{ id: string; status: string; cancelReason: string | null }>>`
      SELECT id, status, cancel_reason AS "cancelReason" FROM order_taking.orders WHERE id IN ${db()(orderIds)}`;
    expect(views).toHaveLength(orderIds.length);
    for (const v of views) expect({ status: v.status, reason: v.cancelReason }, v.id).toEqual({ status: byId.get(v.id)!.status, reason: reasonOf(v.id) });

    // --- Payment: exactly one capture per paid order; none left standing for a cancelled one
    // (a customer's cancel may come after the capture: then it was refunded in full). Counted in
    // the card processor's own ledger, by idempotency key (the payment id).
    const payments = await db()<Array<{ orderId: string; status: string; amount: number; captures: string; declines: string; refunded: string | null }>>`
      SELECT p.order_id AS "orderId", p.status, p.amount,
             (SELECT count(*) FROM payment.gateway_charges g WHERE g.idempotency_key = p.id AND g.status = 'captured') AS captures,
             (SELECT count(*) FROM payment.gateway_charges g WHERE g.idempotency_key = p.id AND g.status = 'declined') AS declines,
             (SELECT sum(r.amount) FROM payment.gateway_refunds r JOIN payment.gateway_charges g ON g.reference = r.charge_reference WHERE g.idempotency_key = p.id) AS refunded
      FROM payment.payments p`;
    const paymentOf = new Map(payments.map((p) => [p.orderId, { status: p.status, captures: Number(p.captures), declines: Number(p.declines), refunded: Number(p.refunded ?? 0), amount: p.amount }]));
    for (const id of paid) expect(paymentOf.get(id), id).toMatchObject({ status: 'captured', captures: 1, declines: 0, refunded: 0 });
    for (const id of cancelled) {
      const p = paymentOf.get(id);
      if (reasonOf(id) === 'payment_declined') expect(p, id).toMatchObject({ status: 'declined', captures: 0, declines: 1 });
      else if (reasonOf(id) === 'out_of_stock') expect(p, `${id} was out of stock: never charged`).toBeUndefined();
      else if (p) expect(p, `${id} was cancelled by its customer`).toEqual({ status: 'refunded', captures: 1, declines: 0, refunded: p.amount, amount: p.amount });
    }
    const [{ n: capturedCharges }] = await db()<Array<{ n: string }>>`SELECT count(*) AS n FROM payment.gateway_charges WHERE status = 'captured'`;
    expect(Number(capturedCharges)).toBe(paid.length + payments.filter((p) => p.status === 'refunded').length);

    // --- Logistics: one parcel booked per paid order, none left for a cancelled one.
    const shipments = new Map(
      (await db()<Array<{ orderId: string; trackingNumber: string; status: string }>>`
        SELECT order_id AS "orderId", tracking_number AS "trackingNumber", status FROM logistics.shipments`).map((r) => [r.orderId, r]),
    );
    for (const id of paid) expect(shipments.get(id), id).toEqual({ orderId: id, trackingNumber: byId.get(id)!.trackingNumber, status: 'created' });
    for (const id of cancelled) expect(shipments.get(id)?.status ?? 'none', id).toMatch(/^(none|cancelled)$/);

    // --- Warehouse: units held are exactly the paid orders' units; nothing oversold, ever.
    const paidUnits = new Map<string, number>();
    for (const id of paid) for (const l of planOf.get(id)!.lines) paidUnits.set(l.productId, (paidUnits.get(l.productId) ?? 0) + l.quantity);
    const stock = await db()<Array<{ productId: string; onHand: number; reserved: number }>>`
      SELECT product_id AS "productId", on_hand AS "onHand", reserved FROM warehouse.stock WHERE product_id IN ${db()([...onHand.keys()])}`;
    for (const s of stock) expect({ onHand: s.onHand, reserved: s.reserved }, s.productId).toEqual({ onHand: onHand.get(s.productId), reserved: paidUnits.get(s.productId) ?? 0 });
    expect(lowestAvailable).toBeGreaterThanOrEqual(0);
    const held = await db()<Array<{ productId: string; units: string }>>`
      SELECT l.product_id AS "productId", sum(l.quantity) AS units FROM warehouse.reservation_lines l
      JOIN warehouse.reservations r ON r.order_id = l.order_id WHERE r.status IN ('reserved', 'committed') GROUP BY l.product_id`;
    expect(Object.fromEntries(held.map((h) => [h.productId, Number(h.units)]))).toEqual(Object.fromEntries(paidUnits));
    const reservations = new Map(
      (await db()<Array<{ orderId: string; status: string }>>`SELECT order_id AS "orderId", status FROM warehouse.reservations`).map((r) => [r.orderId, r.status]),
    );
    for (const id of orderIds) {
      const expected = byId.get(id)!.status === 'paid' ? ['reserved'] : reasonOf(id) === 'out_of_stock' ? ['insufficient'] : reasonOf(id) === 'payment_declined' ? ['released'] : ['released', 'insufficient', 'cancelled'];
      expect(expected, `${id}: reservation ${reservations.get(id)}`).toContain(reservations.get(id));
    }

    // --- Events: each published once by the module that made it (a transaction run again after a
    // conflict publishes nothing of its aborted attempt)...
    const outbox = new Map<string, Array<{ id: string; type: string; payload: string }>>();
    for (const s of schemas) outbox.set(s, await db()<Array<{ id: string; type: string; payload: string }>>`SELECT id, type, payload FROM ${db()(s)}.kernel_outbox ORDER BY seq`);
    const allEvents = [...outbox.values()].flat();
    expect(allEvents.length).toBe(new Set(allEvents.map((e) => e.id)).size);
    const statusEvents = outbox.get('order_processing')!.filter((e) => e.type === 'order.status_changed').map((e) => JSON.parse(e.payload) as { orderId: string; status: string });
    const announced = (id: string) => statusEvents.filter((e) => e.orderId === id).map((e) => e.status);
    for (const id of orderIds) {
      const s = byId.get(id)!;
      if (s.status === 'paid') expect(announced(id), id).toEqual(['placed', 'stock_reserved', 'paid']);
      else if (reasonOf(id) === 'payment_declined') expect(announced(id), id).toEqual(['placed', 'stock_reserved', 'cancelled']);
      else if (reasonOf(id) === 'out_of_stock') expect(announced(id), id).toEqual(['placed', 'cancelled']);
      // A customer's cancel stops the saga wherever it had got to; each status once, in order.
      else expect(ORDER_STATUSES.filter((st) => announced(id).includes(st)), id).toEqual(announced(id));
      expect(announced(id).at(-1), id).toBe(s.status);
    }
    const reachedPaid = orderIds.filter((id) => announced(id).includes('paid'));
    const captured = outbox.get('payment')!.filter((e) => e.type === 'payment.captured').map((e) => (JSON.parse(e.payload) as { orderId: string }).orderId);
    expect(captured.sort()).toEqual(payments.filter((p) => p.status === 'captured' || p.status === 'refunded').map((p) => p.orderId).sort());
    expect(paid.every((id) => captured.includes(id))).toBe(true);
    const reservedEvents = outbox.get('warehouse')!.filter((e) => e.type === 'warehouse.stock_reserved').map((e) => (JSON.parse(e.payload) as { orderId: string }).orderId);
    expect(reservedEvents.sort()).toEqual(orderIds.filter((id) => ['reserved', 'released', 'committed'].includes(reservations.get(id)!)).sort());

    // ...and handled exactly once by every handler that takes it, on whichever replica: one inbox
    // row per (event, handler), done, for every event of its type and nothing else.
    const idsOfType = new Map<string, Set<string>>();
    for (const e of allEvents) idsOfType.set(e.type, (idsOfType.get(e.type) ?? new Set()).add(e.id));
    let inboxRows = 0;
    for (const s of schemas) {
      const rows = await db()<Array<{ eventId: string; handler: string; type: string; status: string }>>`
        SELECT event_id AS "eventId", handler, type, status FROM ${db()(s)}.kernel_inbox`;
      inboxRows += rows.length;
      const duplicates = await db()`SELECT event_id, handler, count(*) AS n FROM ${db()(s)}.kernel_inbox GROUP BY event_id, handler HAVING count(*) <> 1`;
      expect(duplicates, s).toEqual([]);
      expect(rows.filter((r) => r.status !== 'done'), `${s}: rows not done (dead letters included)`).toEqual([]);
      const handlers = new Map<string, { type: string; ids: string[] }>();
      for (const r of rows) handlers.set(r.handler, { type: r.type, ids: [...(handlers.get(r.handler)?.ids ?? []), r.eventId] });
      for (const [handler, { type, ids }] of handlers) expect(ids.sort(), `${s} ${handler}`).toEqual([...(idsOfType.get(type) ?? [])].sort());
    }
    const dead: Record<string, number> = {};
    for (const s of schemas) dead[s] = Number((await db()<Array<{ n: string }>>`SELECT count(*) AS n FROM ${db()(s)}.kernel_inbox WHERE status = 'dead'`)[0].n);
    expect(Object.values(dead).reduce((a, b) => a + b), JSON.stringify(dead)).toBe(0);
    expect(inboxRows).toBeGreaterThan(0);

    // --- Effects of handlers that count: once per event, not once per delivery.
    const notices = await db()<Array<{ userId: string; kind: string; n: string }>>`
      SELECT user_id AS "userId", kind, count(*) AS n FROM notification.notifications WHERE kind LIKE 'order_%' GROUP BY user_id, kind`;
    for (const [i, id] of orderIds.entries()) {
      const mine = Object.fromEntries(notices.filter((n) => n.userId === plans[i].customer.id).map((n) => [n.kind, Number(n.n)]));
      const told = Object.fromEntries(announced(id).filter((st) => st !== 'stock_reserved').map((st) => [`order_${st}`, 1]));
      expect(mine, id).toEqual(told);
    }
    // Popularity counts every order that got paid (a later cancellation does not take it back).
    const purchases = await db()<Array<{ productId: string; purchases: number }>>`
      SELECT product_id AS "productId", purchases FROM recommendation.products WHERE product_id IN ${db()([...onHand.keys()])}`;
    const paidOrdersWith = (productId: string) => reachedPaid.filter((id) => planOf.get(id)!.lines.some((l) => l.productId === productId)).length;
    for (const p of purchases) expect(p.purchases, p.productId).toBe(paidOrdersWith(p.productId));
    expect(purchases).toHaveLength(3);

    console.log(
      `replicas-postgres: ${orderIds.length} orders, ${paid.length} paid, cancelled ${JSON.stringify(Object.fromEntries(['out_of_stock', 'payment_declined', 'customer_request'].map((r) => [r, cancelled.filter((id) => reasonOf(id) === r).length])))}, ` +
        `${payments.filter((p) => p.status === 'refunded').length} refunded; ${inboxRows} inbox rows; ` +
        `unsettled orders at each kill ${JSON.stringify(unsettledAtKill)}; set-up ${ready - started} ms, checkouts to settled ${settled - ready} ms`,
    );
  }, 300_000);
});

/** The customer cancels the order, again while the answer is 503 (a neighbour down, a charge in flight); the last status. */
async function cancel(journeys: Journeys, customer: Customer, orderId: string): Promise<number> {
  const res = await eventually(
    () => journeys.api.post(`/api/orders/${orderId}/cancel`, undefined, customer.token),
    (r) => r.status !== 503,
    { timeoutMs: 60_000, intervalMs: 300, what: `the cancellation of ${orderId} to be taken` },
  );
  return res.status;
}

/** Orders order-taking has taken that order-processing has not finished (shipment booked, or cancelled). */
async function unsettledOrders(): Promise<number> {
  const [{ n }] = await db()<Array<{ n: string }>>`
    SELECT count(*) AS n FROM order_taking.orders o
    WHERE NOT EXISTS (SELECT 1 FROM order_processing.order_sagas s WHERE s.order_id = o.id AND (s.status = 'cancelled' OR s.tracking_number IS NOT NULL))`;
  return Number(n);
}
