import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journeys, expectStatus } from '../journey/journey-helpers.ts';
import { writeIn } from '../support/db.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';
import { hasSample, parseMetrics, valueOf, type Sample } from '../support/prometheus.ts';

let shop: TestShop;
let journeys: Journeys;

beforeAll(async () => {
  shop = await startTestShop();
  journeys = new Journeys(shop.url);
});
afterAll(() => shop?.stop());

const scrape = async (): Promise<Sample[]> => parseMetrics(expectStatus(await journeys.api.get('/metrics'), 200).text);

describe('metrics an operator can page on', () => {
  it('counts a real journey: orders by status and reason, payments by outcome, calls, handler runs', async () => {
    const before = await scrape();
    const product = await journeys.product({ onHand: 10 });
    const buyer = await journeys.customer();
    await journeys.addToCart(buyer, product.id, 1);
    const paid = expectStatus(await journeys.checkout(buyer), 202).body;
    await journeys.reaches(buyer, paid.id, 'paid');
    const declinedBuyer = await journeys.customer();
    await journeys.addToCart(declinedBuyer, product.id, 1);
    const declined = expectStatus(await journeys.checkout(declinedBuyer, { paymentToken: 'tok_chargeDeclined' }), 202).body;
    await journeys.reaches(declinedBuyer, declined.id, 'cancelled');
    await shop.settled();
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('shop_orders_total', { status: 'placed' })).toBe(2);
    expect(delta('shop_orders_total', { status: 'stock_reserved' })).toBe(2);
    expect(delta('shop_orders_total', { status: 'paid' })).toBe(1);
    expect(delta('shop_orders_total', { status: 'cancelled', reason: 'payment_declined' })).toBe(1);
    expect(delta('shop_payments_total', { outcome: 'captured' })).toBe(1);
    expect(delta('shop_payments_total', { outcome: 'declined' })).toBe(1);
    // Every call the payment module answered, on the callee's side (nothing leaves this process).
    expect(delta('calls_total', { module: 'payment', method: 'charge', side: 'callee', outcome: 'ok' })).toBe(2);
    expect(delta('call_duration_seconds_count', { module: 'payment', method: 'charge', side: 'callee' })).toBe(2);
    expect(valueOf(after, 'calls_total', { side: 'caller' })).toBe(0);
    expect(delta('event_handler_duration_seconds_count', { module: 'order-processing', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(delta('events_handled_total', { module: 'notification', outcome: 'handled' })).toBeGreaterThanOrEqual(4);
  });

  it('reports each module’s backlog (nothing waits once settled), its dead letters and the transport', async () => {
    await shop.settled();
    const now = await scrape();
    for (const module of ['order-processing', 'notification', 'search', 'warehouse']) {
      expect(hasSample(now, 'inbox_pending_events', { module }), module).toBe(true);
      expect(valueOf(now, 'inbox_pending_events', { module }), module).toBe(0);
      expect(valueOf(now, 'inbox_oldest_pending_age_seconds', { module }), module).toBe(0);
      expect(valueOf(now, 'dead_letters', { module }), module).toBe(0);
    }
    for (const module of ['catalog', 'order-taking', 'payment']) expect(valueOf(now, 'outbox_unpublished_events', { module }), module).toBe(0);
    expect(valueOf(now, 'transport_connected', { transport: 'in-process' })).toBe(1);
  });

  it('shows events waiting and how old the oldest is while a module cannot keep up', async () => {
    // A row stored an hour ago and not due before another hour, as during a long outage of the handler's work.
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await writeIn(shop, 'notification', sql`INSERT INTO kernel_inbox (event_id, handler, type, key, envelope, status, received_at, next_attempt_at, locked_until, attempts)
      VALUES ('backlog-probe', 'NotifyOrderProgress', 'probe.waiting', NULL, '{}', 'pending', ${hourAgo}, ${Date.now() + 3_600_000}, 0, 0)`);
    const now = await scrape();
    expect(valueOf(now, 'inbox_pending_events', { module: 'notification' })).toBe(1);
    expect(valueOf(now, 'inbox_oldest_pending_age_seconds', { module: 'notification' })).toBeGreaterThanOrEqual(3_599);
    await writeIn(shop, 'notification', sql`DELETE FROM kernel_inbox WHERE event_id = 'backlog-probe'`);
    expect(valueOf(await scrape(), 'inbox_pending_events', { module: 'notification' })).toBe(0);
  });
});
