import type { NextFunction, Request, Response } from 'express';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracer, tracingOn } from '../tracing/spans.ts';

/** Probes and scrapes: a span each every few seconds would bury the shop's own traces. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts a trace at the HTTP edge, or continues the caller's (a `traceparent` header from a
 * proxy or another traced service): one SERVER span per request, named by its route once it is
 * known, with everything the request does (calls, events it publishes) beneath it.
 */
export function traceRequests() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!tracingOn() || UNTRACED.has(req.path)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol } },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = req.route?.path as string | undefined;
      if (route) {
        const full = `${req.baseUrl}${route}`;
        span.updateName(`${req.method} ${full}`);
        span.setAttribute('http.route', full);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}
