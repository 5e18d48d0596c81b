import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kernel/logger.ts';
import { startTracing, type Tracing } from '../../src/kernel/tracing/start-tracing.ts';
import { expectStatus, Journeys } from '../journey/journey-helpers.ts';
import { rowsIn } from '../support/db.ts';
import { eventually } from '../support/eventually.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';
import { upstreamSpan } from '../support/upstream-span.ts';

/**
 * Tracing in one process, with the SDK's in-memory exporter (tests/transport/tracing.test.ts
 * follows a trace across processes to a real OTLP receiver): one checkout is one trace, from the
 * HTTP request through every call and every event handler of the saga, and log lines carry it.
 */
const exporter = new InMemorySpanExporter();
const logLines: Array<Record<string, unknown>> = [];
let tracing: Tracing;
let shop: TestShop;
let journeys: Journeys;

beforeAll(async () => {
  tracing = startTracing({ exporter, serviceName: 'cleave' });
  const logger = createLogger('debug', { destination: { write: (line: string) => void logLines.push(JSON.parse(line)) } });
  shop = await startTestShop({ logger });
  journeys = new Journeys(shop.url);
});
afterAll(async () => {
  await shop?.stop();
  await tracing?.shutdown();
});

const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const moduleOf = (s: ReadableSpan) => s.attributes['cleave.module'];
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

/** A customer's checkout sent with an upstream `traceparent`, once the order is paid. */
async function paidCheckoutUnder() {
  const product = await journeys.product({ onHand: 5 });
  const buyer = await journeys.customer();
  await journeys.addToCart(buyer, product.id, 1);
  const upstream = upstreamSpan();
  const placed = expectStatus(await journeys.checkout(buyer, { headers: { traceparent: upstream.traceparent } }), 202).body as { id: string };
  await journeys.reaches(buyer, placed.id, 'paid');
  return { upstream, placed };
}

describe('a trace follows a checkout through the shop', () => {
  it('one trace: the HTTP request, every call and every event handler of the saga, each a child of what caused it', async () => {
    const { upstream } = await paidCheckoutUnder();
    // The saga's last steps (the shipment, the notices) run after the order reads paid.
    const wanted = ['order-taking', 'order-processing', 'warehouse', 'payment', 'logistics', 'notification'];
    const spans = await eventually(
      async () => spansOf(upstream.traceId),
      (found) => wanted.every((m) => found.some((s) => moduleOf(s) === m)),
      { what: `spans of every module of the saga in trace ${upstream.traceId}` },
    );

    const edge = spans.find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /api/orders');
    expect(edge, 'the HTTP span').toBeDefined();
    expect(parentOf(edge!)).toBe(upstream.spanId);
    expect(edge!.attributes['http.response.status_code']).toBe(202);
    const place = spans.find((s) => s.name === 'order-taking/placeOrder');
    expect(parentOf(place!)).toBe(edge!.spanContext().spanId);
    expect(place!.kind).toBe(SpanKind.INTERNAL);
    for (const call of ['warehouse/reserve', 'payment/charge', 'logistics/createShipment']) {
      const span = spans.find((s) => s.name === call);
      expect(span, call).toBeDefined();
      // Called by the saga's handler: the span of an event handler in order-processing.
      const caller = spans.find((s) => s.spanContext().spanId === parentOf(span!));
      expect(caller?.kind, `${call} is called from a handler`).toBe(SpanKind.CONSUMER);
      expect(caller?.attributes['cleave.module']).toBe('order-processing');
    }
    // No orphan: every span hangs from another of the trace, up to the upstream caller's.
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    for (const s of spans) expect(ids.has(parentOf(s)!) || parentOf(s) === upstream.spanId, `parent of ${s.name}`).toBe(true);
    // Handler spans name what they handled.
    const handled = spans.filter((s) => s.kind === SpanKind.CONSUMER);
    expect(handled.map((s) => s.attributes['messaging.destination.name'])).toContain('order.placed');
    for (const s of handled) expect(s.attributes['cleave.handler'], s.name).toEqual(expect.any(String));
  });

  it('stores the trace context with each outbox row the checkout wrote', async () => {
    const { upstream, placed } = await paidCheckoutUnder();
    const rows = await rowsIn<{ type: string; trace_id: string | null }>(shop, 'order-taking', sql`SELECT type, trace_id FROM kernel_outbox WHERE key = ${placed.id}`);
    expect(rows.map((r) => r.type)).toContain('order.placed');
    for (const row of rows) expect(row.trace_id, row.type).toMatch(new RegExp(`^00-${upstream.traceId}-[0-9a-f]{16}-01$`));
  });

  it('log lines written inside a traced request or call carry its trace and span ids', async () => {
    const product = await journeys.product({ onHand: 5 });
    const buyer = await journeys.customer();
    await journeys.addToCart(buyer, product.id, 1);
    const placed = expectStatus(await journeys.checkout(buyer), 202).body;
    await journeys.reaches(buyer, placed.id, 'paid');
    const upstream = upstreamSpan();
    const cancel = journeys.api.http().post(`/api/admin/orders/${placed.id}/cancel`).set('Authorization', `Bearer ${await journeys.adminToken()}`);
    expectStatus(await cancel.set('traceparent', upstream.traceparent).send({ reason: 'traced' }), 202);
    const ours = () => logLines.filter((l) => l.traceId === upstream.traceId);
    await eventually(ours, (lines) => lines.some((l) => l.path === `/api/admin/orders/${placed.id}/cancel`), { what: 'the access line of the traced request' });
    // order-taking logs the admin's cancel inside the call that the route made.
    const call = spansOf(upstream.traceId).find((s) => s.name === 'order-taking/cancelAnyOrder')!;
    const line = ours().find((l) => l.msg === 'an admin asked to cancel an order');
    expect(line, 'the module’s line').toBeDefined();
    expect(line!.module).toBe('order-taking');
    expect(line!.spanId).toBe(call.spanContext().spanId);
  });
});

describe('without an exporter, tracing is off', () => {
  it('records no span and stores no trace context', async () => {
    await tracing.shutdown();
    exporter.reset();
    const { placed } = await paidCheckoutUnder();
    expect(exporter.getFinishedSpans()).toEqual([]);
    const rows = await rowsIn<{ trace_id: string | null }>(shop, 'order-taking', sql`SELECT trace_id FROM kernel_outbox WHERE key = ${placed.id}`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.trace_id).toBeNull();
  });
});
