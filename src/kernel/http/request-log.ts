import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { traceFields } from '../tracing/spans.ts';

/**
 * Gives each request an id (the caller's X-Request-Id if it is sane), and when it finishes counts
 * it in the metrics and writes one access line: at info when `accessLog` is on, else at debug;
 * failures (5xx) always at error.
 */
export function requestLog(logger: Logger, metrics: Metrics, accessLog: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    req.id = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    // The request's span, taken now: 'finish' may fire outside the request's context.
    const trace = traceFields();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      metrics.observeHttp(req.method, route, res.statusCode, seconds);
      // The path only: query strings may carry personal data (an email searched by an admin).
      const line = { reqId: req.id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 10_000) / 10, ...trace };
      // An unready /readyz is a state, reported by the probe itself; not an error per request.
      if (res.statusCode >= 500 && req.path !== '/readyz') logger.error(line, 'request failed');
      else if (accessLog) logger.info(line, `${req.method} ${req.path} ${res.statusCode}`);
      else logger.debug(line, 'request');
    });
    next();
  };
}
