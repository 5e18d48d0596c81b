import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import swaggerUi from 'swagger-ui-express';
import type { Api, Contract } from '../contract.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { fieldErrors } from '../validation.ts';
import type { Metrics } from '../metrics.ts';
import { sendJson } from './json-body.ts';
import { sendAppError, sendProblem } from './problem.ts';
import type { AuthUser, RouteSpec, SessionCheck } from './routes.ts';
import { Reply } from './routes.ts';
import type { TokenService } from './tokens.ts';
import { buildOpenApi } from './openapi.ts';

export interface HttpAppOptions {
  routes: RouteSpec[];
  use: <C extends Contract>(contract: C) => Api<C>;
  tokens: TokenService;
  /** Whether a signed token still stands, and the user's current role; without it, the token's claims are trusted. */
  sessionCheck?: SessionCheck;
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  /** True once the process is shutting down: new requests get 503 and their connection is closed. */
  draining: () => boolean;
  readiness: () => Promise<Readiness>;
  /** Extra operator routes (e.g. dead letters), mounted as they are. */
  extraRoutes?: RouteSpec[];
}

/** What /readyz reports: `problems` make this process unready (503); `unreachable` modules only degrade it. */
export interface Readiness {
  problems: string[];
  unreachable: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    rawBody?: Buffer;
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The HTTP edge: request ids, logs, metrics, JSON-only bodies, auth, validation, problem+json. */
export function createHttpApp(options: HttpAppOptions): express.Express {
  const { logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  // Hashing every JSON body for an ETag costs more than API clients gain from it.
  app.disable('etag');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      metrics.observeHttp(req.method, route, res.statusCode, seconds);
      const line = { reqId: req.id, method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(seconds * 1000) };
      // An unready /readyz is a state, reported by the probe itself; not an error per request.
      if (res.statusCode >= 500 && req.path !== '/readyz') logger.error(line, 'request failed');
      else logger.debug(line, 'request');
    });
    next();
  });

  app.use((req, res, next) => {
    // During a graceful stop, a request on a kept-alive connection is refused cleanly (retry elsewhere)
    // rather than reset; requests already running finish normally.
    if (options.draining() && req.path !== '/healthz' && req.path !== '/readyz') {
      res.set('Connection', 'close').set('Retry-After', '1');
      sendProblem(res, 503, 'This process is shutting down; retry the request', { instance: req.id });
      return;
    }
    next();
  });

  app.use((req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (BODY_METHODS.has(req.method) && hasBody && !req.is('application/json')) {
      sendProblem(res, 415, 'Send the body as application/json', { instance: req.id });
      return;
    }
    next();
  });
  app.use(
    express.json({
      limit: options.bodyLimit,
      strict: true,
      verify: (req, _res, buf) => {
        (req as Request).rawBody = buf;
      },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { problems, unreachable } = await options.readiness();
    const status = problems.length ? 'unavailable' : unreachable.length ? 'degraded' : 'ready';
    res.status(problems.length ? 503 : 200).json({ status, problems, unreachable });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.render());
  });
  const allRoutes = [...options.routes, ...(options.extraRoutes ?? [])];
  const openapi = buildOpenApi(allRoutes);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));

  for (const route of allRoutes) mountRoute(app, route, options);

  app.use((req, res) => {
    sendProblem(res, 404, `No route for ${req.method} ${req.path}`, { instance: req.id });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof AppError) return sendAppError(res, err, req.id);
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return sendProblem(res, 400, 'Malformed JSON body', { instance: req.id });
    if (e.type === 'entity.too.large') return sendProblem(res, 413, `Body larger than ${options.bodyLimit}`, { instance: req.id });
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return sendProblem(res, 415, 'Unsupported body encoding', { instance: req.id });
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendProblem(res, e.status, 'Bad request', { instance: req.id });
    logger.error({ err, reqId: req.id }, 'unhandled error');
    sendProblem(res, 500, 'Internal error; quote the request id when reporting it', { instance: req.id });
  });
  return app;
}

/** Converts `:id` Express paths and mounts one route with its checks. */
function mountRoute(app: express.Express, route: RouteSpec, options: HttpAppOptions): void {
  app[route.method](route.path, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const user = await authenticate(req, route, options);
      const body = route.body ? parse(route.body, req.body ?? {}, 'body') : undefined;
      // A raw route (a signed webhook) reads req.rawBody itself, so it declares no body schema.
      if (!route.body && !route.raw && BODY_METHODS.has(req.method) && req.body && Object.keys(req.body).length > 0) {
        throw new AppError('validation', 'This endpoint takes no body', [{ path: '(root)', message: 'unexpected body' }]);
      }
      const query = route.query ? parse(route.query, req.query, 'query') : undefined;
      const params = route.params ? parse(route.params, req.params, 'path') : req.params;
      const result = await route.handler({
        body,
        query,
        params,
        user: user as AuthUser,
        headers: req.headers,
        rawBody: req.rawBody,
        requestId: req.id,
        ip: req.ip ?? 'unknown',
        use: options.use,
      });
      if (result instanceof Reply) {
        res.set(result.headers);
        if (result.body === undefined) res.status(result.status).end();
        else sendJson(res.status(result.status), result.body);
      } else if (result === undefined) {
        res.status(route.status ?? 204).end();
      } else {
        sendJson(res.status(route.status ?? 200), result);
      }
    } catch (err) {
      next(err);
    }
  });
}

async function authenticate(req: Request, route: RouteSpec, options: HttpAppOptions): Promise<AuthUser | undefined> {
  if (route.access === 'public') return undefined;
  const header = req.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new AppError('unauthorized', 'Send Authorization: Bearer <token> (POST /api/auth/login gives one)');
  const claims = await options.tokens.verify(match[1]);
  const user = options.sessionCheck ? await options.sessionCheck(claims, options.use) : claims;
  if (route.access === 'admin' && user.role !== 'admin') throw new AppError('forbidden', 'Admins only');
  return user;
}

function parse(schema: import('zod').ZodType, value: unknown, where: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('validation', `Invalid request ${where}`, fieldErrors(result.error).map((e) => ({ ...e, path: `${where}.${e.path}` })));
}
