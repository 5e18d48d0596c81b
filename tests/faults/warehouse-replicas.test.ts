import { describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { mapLimit } from '../../tools/map-limit.ts';
import type { TopologySpec } from '../../tools/topology/spec.ts';
import { eventually } from '../support/eventually.ts';
import { deadLettersEverywhere, startOnce, startTopology } from '../support/processes.ts';
import { expectStatus, Journeys, SETTLED, type Customer, type Order } from '../journey/journey-helpers.ts';

/**
 * Two warehouse processes on the same warehouse.db (one DATA_DIR), sharing the module's NATS
 * queue group and durable consumer, next to one process with every other module and the API.
 * Reservations from both replicas contend for the last units in one SQLite file; both replicas'
 * outbox relays publish the same rows (JetStream drops the repeats by event id) and both pull
 * the warehouse's events (the shared inbox takes each once).
 */
const replicated: TopologySpec = {
  description: 'Two warehouse replicas on one database, everything else in one process with the API.',
  processes: [
    { name: 'shop', modules: moduleNames.filter((m) => m !== 'warehouse'), gateway: true },
    { name: 'warehouse-1', modules: ['warehouse'] },
    { name: 'warehouse-2', modules: ['warehouse'] },
  ],
};

const UNITS = 8;
const CUSTOMERS = 30;

const topology = startOnce(() => startTopology(replicated), (t) => t.stop());

describe('faults: two warehouse replicas under concurrent checkouts', () => {
  it(`sells the last ${UNITS} units to exactly ${UNITS} of ${CUSTOMERS} customers, handling every event once per module`, async () => {
    const shop = topology();
    expect([...shop.processes.keys()]).toEqual(['shop', 'warehouse-1', 'warehouse-2']);
    const journeys = new Journeys(shop.gatewayUrl);
    const product = await journeys.product({ onHand: UNITS, name: 'Last-units lantern' });
    const customers: Customer[] = await mapLimit(Array.from({ length: CUSTOMERS }), 6, () => journeys.customer());
    await mapLimit(customers, 6, (c) => journeys.addToCart(c, product.id, 1));

    // Every checkout at once: the sagas ask the two replicas for the same units side by side.
    const answers = await Promise.all(customers.map((c) => journeys.checkout(c)));
    for (const a of answers) expectStatus(a, 202);
    let lowest = Infinity;
    const orders: Order[] = await eventually(
      async () => {
        lowest = Math.min(lowest, (await journeys.stock(product.id)).available);
        return mapLimit(customers, 6, (c, i) => journeys.order(c, answers[i].body.id));
      },
      (all) => all.every((o) => SETTLED.includes(o.status)),
      { timeoutMs: 60_000, intervalMs: 200, what: 'every order to settle' },
    );

    const paid = orders.filter((o) => o.status === 'paid');
    const cancelled = orders.filter((o) => o.status === 'cancelled');
    expect(paid).toHaveLength(UNITS);
    expect(cancelled).toHaveLength(CUSTOMERS - UNITS);
    for (const o of cancelled) expect(o.cancelReason).toBe('out_of_stock');
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await journeys.stock(product.id)).toMatchObject({ onHand: UNITS, reserved: UNITS, available: 0 });

    // Once per module: each order moved through each status once (order-processing)...
    for (const o of paid) expect(o.history.map((h) => h.status)).toEqual(['placed', 'stock_reserved', 'paid']);
    for (const o of cancelled) expect(o.history.map((h) => h.status)).toEqual(['placed', 'cancelled']);
    // ...was charged once if it got stock, never if not (payment)...
    await mapLimit(orders, 6, async (o) => {
      const captured = (await journeys.payments(o.id)).filter((p) => p.status === 'captured');
      expect(captured, o.id).toHaveLength(o.status === 'paid' ? 1 : 0);
    });
    // ...and its customer heard of each step once (notification, fed by both relays' events).
    const expected = (o: Order) => (o.status === 'paid' ? ['order_paid', 'order_placed'] : ['order_cancelled', 'order_placed']);
    await eventually(
      () => mapLimit(customers, 6, async (c) => (await journeys.api.get('/api/notifications?limit=100', c.token)).body.items.map((n: { kind: string }) => n.kind).sort()),
      (kinds: string[][]) => kinds.every((k, i) => k.length >= 2 && k[0] === expected(orders[i])[0]),
      { timeoutMs: 30_000, intervalMs: 300, what: "every customer's order notices" },
    ).then((kinds) => kinds.forEach((k, i) => expect(k, customers[i].id).toEqual(expected(orders[i]))));
    // The one dip below the low-stock threshold (available 8 -> 4) alerted the admin once.
    const admin = await journeys.adminToken();
    const lowStockAlerts = async () =>
      ((await journeys.api.get('/api/notifications?limit=100', admin)).body.items as Array<{ kind: string; body: string }>).filter((n) => n.kind === 'low_stock');
    await eventually(lowStockAlerts, (a) => a.length > 0, { what: 'the low-stock alert' });
    const alerts = await lowStockAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0].body).toContain(product.name);

    expect(await deadLettersEverywhere(shop.gatewayUrl, admin)).toEqual([]);
  }, 150_000);
});
