import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { AppError, type ErrorKind } from '../errors.ts';

/**
 * The kernel's spans: one per HTTP request at the edge (http/trace-requests.ts), one per contract
 * call on each side of it, one per run of an event handler. The trace context travels in the W3C
 * `traceparent` form: in NATS request headers, and stored with each outbox row, so a trace
 * follows an order from the HTTP request through every call and every event handler, whichever
 * process runs them (docs/architecture.md, "Traces").
 *
 * Off until start-tracing.ts turns it on: then every function here is a boolean test and a
 * direct call, so a shop without OTEL_EXPORTER_OTLP_ENDPOINT pays next to nothing.
 */
let on = false;

/** Called by start-tracing.ts only. */
export function setTracingOn(value: boolean): void {
  on = value;
}

export function tracingOn(): boolean {
  return on;
}

/** The kernel's tracer (a no-op one until start-tracing.ts registers the SDK). */
export const tracer = () => trace.getTracer('cleave');

/** Error kinds that say the callee did its job (a refusal), not that something broke. */
const REFUSALS: ReadonlySet<ErrorKind> = new Set(['validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'unprocessable', 'rate_limited']);

/** Runs `work` in a new span (a child of `parent`, else of the active span) and ends it with the outcome. */
function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, work: () => Promise<T>, parent?: Context): Promise<T> {
  if (!on) return work();
  return tracer().startActiveSpan(name, { kind, attributes }, parent ?? context.active(), async (span) => {
    try {
      return await work();
    } catch (err) {
      markFailed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Records how a span's work failed: a refusal (not found, a conflict) is an outcome, not an error. */
function markFailed(span: Span, err: unknown): void {
  const kind: ErrorKind = err instanceof AppError ? err.kind : 'internal';
  span.setAttribute('error.type', kind);
  if (REFUSALS.has(kind)) return;
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * A call to a module: on the caller's side of the wire (`caller`, a CLIENT span) or where it is
 * answered. Answered for a caller in another process (the active context came over the wire) it
 * is a SERVER span; for a caller in this process, an INTERNAL one.
 */
export function callSpan<T>(side: 'caller' | 'callee', module: string, method: string, work: () => Promise<T>): Promise<T> {
  if (!on) return work();
  const kind = side === 'caller' ? SpanKind.CLIENT : trace.getSpanContext(context.active())?.isRemote ? SpanKind.SERVER : SpanKind.INTERNAL;
  return inSpan(`${module}/${method}`, kind, { 'rpc.system': 'cleave', 'rpc.service': module, 'rpc.method': method, 'cleave.module': module }, work);
}

/** A span started by hand: `within` runs code as its child, `end` closes it with the outcome. */
export interface OpenSpan {
  within<T>(work: () => T): T;
  end(err?: unknown): void;
}

/**
 * A run of an event handler: a CONSUMER span whose parent is the span that published the event
 * (its stored `traceparent`), never whatever happens to be active where the handler is run.
 * Started by hand, not around an async function, so the handler's own promise is what its runner
 * sees (handler-run.ts tells a handler that finished synchronously by that promise).
 */
export function startHandlerSpan(module: string, handler: string, event: { id: string; type: string; traceId?: string }): OpenSpan | undefined {
  if (!on) return undefined;
  const attributes = {
    'messaging.system': 'cleave',
    'messaging.operation.type': 'process',
    'messaging.destination.name': event.type,
    'messaging.message.id': event.id,
    'cleave.module': module,
    'cleave.handler': handler,
  };
  const parent = contextOf(event.traceId);
  const span = tracer().startSpan(`${module} process ${event.type}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  const active = trace.setSpan(parent, span);
  return {
    within: (work) => context.with(active, work),
    end: (err) => {
      if (err !== undefined) markFailed(span, err);
      span.end();
    },
  };
}

/** The active span's context as W3C headers (`traceparent`, and `tracestate` if any); undefined when off or outside any span. */
export function activeTraceHeaders(): { traceparent: string; tracestate?: string } | undefined {
  if (!on) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) } : undefined;
}

/** The active span's `traceparent` (stored with outbox rows); null when off or outside any span. */
export function currentTraceparent(): string | null {
  return activeTraceHeaders()?.traceparent ?? null;
}

/** A context whose parent is the span a `traceparent` names (a new trace when there is none). */
export function contextOf(traceparent: string | null | undefined, tracestate?: string): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent, ...(tracestate ? { tracestate } : {}) }) : ROOT_CONTEXT;
}

/** Trace and span id of the active span, for log lines; empty when off or outside any span. */
export function traceFields(): { traceId?: string; spanId?: string } {
  if (!on) return {};
  const span = trace.getSpanContext(context.active());
  return span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}
