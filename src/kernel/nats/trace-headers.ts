import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { tracingOn } from '../tracing/spans.ts';

/**
 * W3C trace context in NATS message headers (`traceparent`, `tracestate`), as HTTP carries it:
 * a call's trace continues in whichever process answers it.
 */
export function traceHeaders(): MsgHdrs | undefined {
  if (!tracingOn()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return undefined;
  const h = headers();
  for (const [name, value] of Object.entries(carrier)) h.set(name, value);
  return h;
}

/** The caller's trace context from a request's headers; undefined when tracing is off or none came. */
export function callerContext(h: MsgHdrs | undefined): Context | undefined {
  if (!tracingOn() || !h?.has('traceparent')) return undefined;
  return propagation.extract(ROOT_CONTEXT, { traceparent: h.get('traceparent'), tracestate: h.get('tracestate') });
}
