import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import type { OtlpReceiver, ReceivedSpan } from '../../tools/otlp-receiver.ts';
import { upstreamSpan } from '../support/upstream-span.ts';
import { expectStatus, Journeys, SETTLED, type Customer } from './journey-helpers.ts';
import { boutiqueCheckoutForm, orderIdOf, statusOn, Visitor } from '../../tools/storefront-visitor.ts';

export interface JourneyTarget {
  /** Base URL of the shop's HTTP API (the monolith, or the gateway of a split deployment). */
  url: string;
  stop(): Promise<void>;
  /** Where its processes send their spans, and the `service.name` of the process hosting each module. */
  traces?: { receiver: OtlpReceiver; serviceOf(module: string): string; gatewayService: string };
}

/** The modules a paid checkout passes through, each in a span of its own. */
const SAGA_MODULES = ['order-taking', 'order-processing', 'warehouse', 'payment', 'logistics'];

/** Starting a deployment of real processes (13 in split-all) on a busy 2-core machine takes a while. */
const START_TIMEOUT_MS = 180_000;

/** OTLP's span kinds. */
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

const statuses = (o: { history: Array<{ status: string }> }) => o.history.map((h) => h.status);

/** The order journeys of the shop, end to end through HTTP, against whatever `startTarget` starts. */
export function describeJourneys(name: string, startTarget: () => Promise<JourneyTarget>, { traced = false } = {}): void {
  describe(`journeys (${name})`, () => {
    let target: JourneyTarget;
    let shop: Journeys;

    // A target that cannot start (NATS down, a process that dies at boot) fails every journey
    // with the reason; thrown from beforeAll, vitest would only report them as skipped.
    let startError: unknown;
    beforeAll(async () => {
      try {
        target = await startTarget();
        shop = new Journeys(target.url);
      } catch (err) {
        startError = err;
      }
    }, START_TIMEOUT_MS);
    beforeEach(() => {
      if (startError) throw startError;
    });
    afterAll(() => target?.stop());

    /** A customer with `quantity` units of a product in their cart, checked out and accepted. */
    async function placed({ onHand = 10, quantity = 2, paymentToken = 'tok_visa' } = {}) {
      const product = await shop.product({ onHand });
      const customer = await shop.customer();
      await shop.addToCart(customer, product.id, quantity);
      const res = expectStatus(await shop.checkout(customer, { paymentToken }), 202);
      return { product, customer, order: res.body as { id: string; total: number } };
    }

    it('takes a customer from browsing to a delivered parcel', async () => {
      const product = await shop.product({ price: 4200, onHand: 10, name: 'Heron teapot' });
      const customer = await shop.customer();
      expect((await shop.api.get(`/api/products/${product.id}`)).body).toMatchObject({ name: product.name, price: 4200, active: true });
      const search = await shop.api.get(`/api/search?q=${encodeURIComponent(product.name)}`);
      if (search.status !== 404) {
        await eventually(async () => (await shop.api.get(`/api/search?q=${encodeURIComponent(product.name)}`)).body.items ?? [],
          (items: Array<{ productId: string }>) => items.some((i) => i.productId === product.id), { what: 'the product in search' });
      }
      await shop.addToCart(customer, product.id, 2);

      const accepted = expectStatus(await shop.checkout(customer), 202);
      expect(accepted.body).toMatchObject({ status: 'placed', subtotal: 8400, currency: 'USD' });
      expect(accepted.body.total).toBe(accepted.body.subtotal + accepted.body.shippingCost);
      const paid = await shop.reaches(customer, accepted.body.id, 'paid', (o) => !!o.shipment);
      expect(statuses(paid)).toEqual(['placed', 'stock_reserved', 'paid']);
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 10, reserved: 2, available: 8 });
      await eventually(async () => (await shop.api.get('/api/cart', customer.token)).body.items, (items: unknown[]) => items.length === 0, { what: 'the cart to empty' });

      expect((await shop.carrierReports(paid.shipment!.trackingNumber, 'in_transit')).status).toBe(204);
      await shop.reaches(customer, accepted.body.id, 'shipped');
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 8, reserved: 0, available: 8 });
      expect((await shop.carrierReports(paid.shipment!.trackingNumber, 'delivered')).status).toBe(204);
      const delivered = await shop.reaches(customer, accepted.body.id, 'delivered');
      expect(statuses(delivered)).toEqual(['placed', 'stock_reserved', 'paid', 'shipped', 'delivered']);
      const times = delivered.history.map((h) => Date.parse(h.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('sells to a guest through the storefront pages: product page, cart, checkout, paid order page', async () => {
      const product = await shop.product({ price: 3100, onHand: 10, name: 'Storefront kettle' });
      const guest = new Visitor(target.url, { browser: true });
      const page = await guest.get(`/product/${product.id}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('Storefront kettle');
      expect((await guest.post('/cart', { product_id: product.id, quantity: 2 })).html).toContain('Added to your cart');
      await guest.post('/setCurrency', { currency_code: 'GBP', return_to: '/cart' });
      const placed = await guest.post('/cart/checkout', boutiqueCheckoutForm({ country: 'Japan' }));
      expect(placed.status).toBe(200);
      const orderId = orderIdOf(placed);
      const paid = await eventually(() => guest.get(`/order/${orderId}`), (p) => statusOn(p) === 'paid', { timeoutMs: 15_000, intervalMs: 100, what: 'the order page to show paid' });
      expect(paid.html).toContain('£');
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 10, reserved: 2 });
    });

    it('cancels an order whose card is declined and releases its stock', async () => {
      const { product, customer, order } = await placed({ paymentToken: 'tok_chargeDeclined' });
      const cancelled = await shop.reaches(customer, order.id, 'cancelled');
      expect(cancelled.cancelReason).toBe('payment_declined');
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
      const payments = await shop.payments(order.id);
      expect(payments.map((p) => p.status)).toEqual(['declined']);
    });

    it('charges a card whose first attempt fails transiently exactly once, on the second attempt', async () => {
      const { customer, order } = await placed({ paymentToken: 'tok_flaky' });
      await shop.reaches(customer, order.id, 'paid');
      expect(await shop.payments(order.id)).toEqual([expect.objectContaining({ status: 'captured', amount: order.total, attempts: 2 })]);
    });

    it('cancels an order there is not enough stock for, without charging it', async () => {
      const { product, customer, order } = await placed({ onHand: 1, quantity: 2 });
      expect((await shop.reaches(customer, order.id, 'cancelled')).cancelReason).toBe('out_of_stock');
      expect(await shop.payments(order.id)).toEqual([]);
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 1, reserved: 0 });
    });

    it('cancels a paid order on request: refunds it and puts the stock back', async () => {
      const { product, customer, order } = await placed();
      await shop.reaches(customer, order.id, 'paid');
      const res = await shop.api.post(`/api/orders/${order.id}/cancel`, undefined, customer.token);
      expect(res.status).toBe(202);
      expect((await shop.reaches(customer, order.id, 'cancelled')).cancelReason).toBe('customer_request');
      expect((await shop.payments(order.id)).map((p) => p.status)).toEqual(['refunded']);
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
      expect((await shop.api.post(`/api/orders/${order.id}/cancel`, undefined, customer.token)).status).toBe(202);
    });

    it('lets an admin find a customer, see their orders, inspect one and cancel it with a refund', async () => {
      const { product, customer, order } = await placed({ quantity: 3 });
      await shop.reaches(customer, order.id, 'paid');
      const admin = await shop.adminToken();
      const found = expectStatus(await shop.api.get(`/api/admin/users?email=${encodeURIComponent(customer.email.toUpperCase())}`, admin), 200).body;
      expect(found).toEqual({ items: [{ id: customer.id, email: customer.email, name: expect.any(String), role: 'customer', createdAt: expect.any(String) }], total: 1 });
      const theirs = expectStatus(await shop.api.get(`/api/admin/orders?userId=${customer.id}&status=paid`, admin), 200).body;
      expect(theirs).toMatchObject({ items: [{ id: order.id, userId: customer.id, status: 'paid', total: order.total }], total: 1 });
      const inspected = expectStatus(await shop.api.get(`/api/admin/orders/${order.id}`, admin), 200).body;
      expect(inspected).toMatchObject({ id: order.id, userId: customer.id, status: 'paid', payment: { status: 'captured' } });
      expect(statuses(inspected)).toEqual(['placed', 'stock_reserved', 'paid']);

      expect((await shop.api.post(`/api/admin/orders/${order.id}/cancel`, { reason: 'customer phoned' }, admin)).status).toBe(202);
      expect((await shop.reaches(customer, order.id, 'cancelled')).cancelReason).toBe('admin_request');
      expect((await shop.payments(order.id)).map((p) => p.status)).toEqual(['refunded']);
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
      expect((await shop.api.post(`/api/admin/orders/${order.id}/cancel`, undefined, admin)).status).toBe(202);
      // Customers reach none of it.
      expect((await shop.api.get('/api/admin/orders', customer.token)).status).toBe(403);
      expect((await shop.api.get(`/api/admin/orders/${order.id}`, customer.token)).status).toBe(403);
    });

    it('refuses to cancel a shipped order with 409', async () => {
      const { customer, order } = await placed();
      const paid = await shop.reaches(customer, order.id, 'paid', (o) => !!o.shipment);
      await shop.carrierReports(paid.shipment!.trackingNumber, 'in_transit');
      await shop.reaches(customer, order.id, 'shipped');
      expect((await shop.api.post(`/api/orders/${order.id}/cancel`, undefined, customer.token)).status).toBe(409);
    });

    it('makes one order and one charge of the same checkout sent five times at once', async () => {
      const product = await shop.product();
      const customer = await shop.customer();
      await shop.addToCart(customer, product.id, 1);
      const key = `five-${customer.id}`;
      const answers = await Promise.all(Array.from({ length: 5 }, () => shop.checkout(customer, { key })));
      for (const a of answers) expect([202, 409]).toContain(a.status);
      const ids = [...new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id))];
      expect(ids).toHaveLength(1);
      await shop.reaches(customer, ids[0], 'paid');
      expect((await shop.api.get('/api/orders', customer.token)).body.total).toBe(1);
      expect(await shop.payments(ids[0])).toHaveLength(1);
    });

    it('holds checkouts to their rules: key required, one body per key, no empty cart, no peeking at others', async () => {
      const { customer, order } = await placed();
      expect((await shop.checkout(customer, { key: null })).status).toBe(400);
      const key = `rules-${customer.id}`;
      const other = await shop.customer();
      const product = await shop.product();
      await shop.addToCart(other, product.id, 1);
      expect((await shop.checkout(other, { key })).status).toBe(202);
      expect((await shop.checkout(other, { key, shippingMethod: 'express' })).status).toBe(422);
      await eventually(async () => (await shop.api.get('/api/cart', other.token)).body.items, (items: unknown[]) => items.length === 0, { what: 'the cart to empty' });
      expect((await shop.checkout(other)).status).toBe(422);
      expect((await shop.api.get(`/api/orders/${order.id}`, other.token)).status).toBe(404);
    });

    it('sells the last 10 units to exactly 10 of 50 customers checking out at once', async () => {
      const product = await shop.product({ onHand: 10 });
      const customers: Customer[] = await Promise.all(Array.from({ length: 50 }, () => shop.customer()));
      await Promise.all(customers.map((c) => shop.addToCart(c, product.id, 1)));
      const answers = await Promise.all(customers.map((c) => shop.checkout(c)));
      for (const a of answers) expect(a.status).toBe(202);
      // 4 s on an idle machine, up to 55 s on PostgreSQL under the full suite's load: each of
      // order-processing's ~200 write transactions of this race waits its turn at the module's
      // lock, and its relay waits behind them (a known problem, docs/architecture.md). This test
      // is about who gets the stock, not how fast: the wait allows for it, the settle time is
      // printed, and a slow or failed settle prints where the events were.
      let lowest = Infinity;
      const settling = Date.now();
      let slowReported = false;
      const orders = await eventually(async () => {
        lowest = Math.min(lowest, (await shop.stock(product.id)).available);
        if (!slowReported && Date.now() - settling > 10_000) {
          slowReported = true;
          console.log(`50 checkouts not settled after 10 s (${name}); event backlog:\n${await shop.eventBacklog()}`);
        }
        return Promise.all(customers.map((c, i) => shop.order(c, answers[i].body.id)));
      }, (all) => all.every((o) => SETTLED.includes(o.status)), { timeoutMs: 120_000, intervalMs: 200, what: 'every order to settle' }).catch(async (err: unknown) => {
        throw new Error(`${(err as Error).message.slice(0, 400)}...\nEvent backlog:\n${await shop.eventBacklog()}`, { cause: err });
      });
      console.log(`50 checkouts settled in ${Date.now() - settling} ms (${name})`);
      expect(orders.filter((o) => o.status === 'paid')).toHaveLength(10);
      const cancelled = orders.filter((o) => o.status === 'cancelled');
      expect(cancelled).toHaveLength(40);
      for (const o of cancelled) expect(o.cancelReason).toBe('out_of_stock');
      expect(lowest).toBeGreaterThanOrEqual(0);
      expect(await shop.stock(product.id)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    }, 180_000);

    // Only where the target's processes send their traces somewhere the test can read (not a skip: absent).
    if (traced) it('follows a checkout as one trace through every module and process it crosses', async () => {
      const traces = target.traces!;
      const product = await shop.product({ onHand: 5 });
      const customer = await shop.customer();
      await shop.addToCart(customer, product.id, 1);
      const upstream = upstreamSpan();
      const accepted = expectStatus(await shop.checkout(customer, { headers: { traceparent: upstream.traceparent } }), 202);
      await shop.reaches(customer, accepted.body.id, 'paid', (o) => !!o.shipment);
      const calls = ['order-taking/placeOrder', 'warehouse/reserve', 'payment/charge', 'logistics/createShipment'];
      // Each process sends its spans as they end, in batches of its own: wait for a snapshot that
      // holds every span looked at below and the parent of every span it holds.
      const whole = (spans: ReceivedSpan[]) => {
        const ids = new Set(spans.map((s) => s.spanId));
        return (
          SAGA_MODULES.every((m) => spans.some((s) => s.attributes['cleave.module'] === m && s.service === traces.serviceOf(m))) &&
          calls.every((call) => spans.some((s) => s.name === call && s.kind !== CLIENT)) &&
          spans.some((s) => s.name === 'POST /api/orders') &&
          spans.every((s) => s.parentSpanId === upstream.spanId || ids.has(s.parentSpanId!))
        );
      };
      const spans = await eventually(async () => traces.receiver.trace(upstream.traceId), whole, { timeoutMs: 20_000, intervalMs: 100, what: 'a whole trace of the checkout' });

      const edge = spans.find((s) => s.name === 'POST /api/orders');
      expect(edge, 'the HTTP request').toMatchObject({ service: traces.gatewayService, kind: SERVER, parentSpanId: upstream.spanId });
      // (Every span hangs from another span of the trace, up to the caller's: `whole` waited for it.)
      // Each call is answered in the process hosting its module; across processes, as the caller's child.
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      for (const call of calls) {
        const answered = spans.find((s) => s.name === call && s.kind !== CLIENT);
        const module = call.split('/')[0];
        expect(answered, call).toMatchObject({ service: traces.serviceOf(module), attributes: { 'rpc.service': module } });
        const parent = byId.get(answered!.parentSpanId!)!;
        if (parent.service !== answered!.service) expect(parent, `${call} from another process`).toMatchObject({ name: call, kind: CLIENT });
      }
      // The saga's steps run in handlers of the events that the previous step published.
      const placedHandler = spans.find((s) => s.kind === CONSUMER && s.attributes['messaging.destination.name'] === 'order.placed' && s.attributes['cleave.module'] === 'order-processing');
      expect(placedHandler, 'order-processing handling order.placed').toMatchObject({ service: traces.serviceOf('order-processing') });
    });

    it('leaves no event behind in the dead letters of any module, wherever it runs', async () => {
      const dead = await shop.api.get('/api/admin/dead-letters', await shop.adminToken());
      expect(dead.status).toBe(200);
      expect(dead.body).toEqual({ items: [], unreachable: [] });
    });
  });
}
