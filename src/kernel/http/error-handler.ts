import type { NextFunction, Request, Response } from 'express';
import { AppError, toAppError } from '../errors.ts';
import { isDatabaseUnreachable } from '../persistence/database-unreachable.ts';
import type { Logger } from '../logger.ts';
import { sendAppError, sendProblem } from './problem.ts';

const INTERNAL = 'Internal error; quote the request id (instance) when reporting it';

/**
 * The last word on every failed request. Client mistakes caught by Express's own parsers become
 * 4xx problems with an `errors` array; anything internal becomes a generic 500 carrying the request
 * id, its cause going to the log only: no stack, no call name, no schema dump reaches a client.
 */
export function errorHandler(logger: Logger, bodyLimit: string) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const instance = req.id;
    if (err instanceof AppError) {
      if (err.kind !== 'internal') return sendAppError(res, err, instance);
      logger.error({ err, reqId: instance, method: req.method, path: req.path }, 'internal error');
      return sendProblem(res, 500, INTERNAL, { instance });
    }
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return sendProblem(res, 400, 'Malformed JSON body', { instance, errors: [{ path: 'body', message: 'not valid JSON' }] });
    if (e.type === 'entity.too.large') return sendProblem(res, 413, `Body larger than ${bodyLimit}`, { instance });
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return sendProblem(res, 415, 'Unsupported body encoding or charset', { instance });
    if (err instanceof URIError) {
      return sendProblem(res, 400, 'Malformed percent-encoding in the URL', { instance, errors: [{ path: 'path', message: 'not valid percent-encoding' }] });
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      // e.g. a gzip body that does not inflate, or a body shorter than its Content-Length.
      return sendProblem(res, e.status, 'The request could not be read', { instance, errors: [{ path: 'body', message: 'could not be read (check its encoding and length)' }] });
    }
    logger.error({ err, reqId: instance, method: req.method, path: req.path }, 'unhandled error');
    // A store that could not be reached is an outage to retry (503), not a bug (see toAppError).
    if (isDatabaseUnreachable(err)) return sendAppError(res, toAppError(err), instance);
    sendProblem(res, 500, INTERNAL, { instance });
  };
}
