import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { Context } from '@opentelemetry/api';
import { activeTraceHeaders, contextOf, tracingOn } from '../tracing/spans.ts';

/**
 * W3C trace context in NATS message headers (`traceparent`, `tracestate`), as HTTP carries it:
 * a call's trace continues in whichever process answers it.
 */
export function traceHeaders(): MsgHdrs | undefined {
  const active = activeTraceHeaders();
  if (!active) return undefined;
  const h = headers();
  for (const [name, value] of Object.entries(active)) h.set(name, value);
  return h;
}

/** The caller's trace context from a request's headers; undefined when tracing is off or none came. */
export function callerContext(h: MsgHdrs | undefined): Context | undefined {
  if (!tracingOn() || !h?.has('traceparent')) return undefined;
  return contextOf(h.get('traceparent'), h.get('tracestate') || undefined);
}
