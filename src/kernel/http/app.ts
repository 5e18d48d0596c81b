import express, { type NextFunction, type Request, type Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import swaggerUi from 'swagger-ui-express';
import type { Api, Contract } from '../contract.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { fieldErrors } from '../validation.ts';
import type { Metrics } from '../metrics.ts';
import { sendJson } from './json-body.ts';
import { sendProblem } from './problem.ts';
import { baseHeaders, corsFor, docsCsp, isPrivate } from './edge-headers.ts';
import { errorHandler } from './error-handler.ts';
import { requestLog } from './request-log.ts';
import { traceRequests } from './trace-requests.ts';
import type { AuthUser, RouteSpec, TokenClaims } from './routes.ts';
import { Reply } from './routes.ts';
import type { TokenService } from './tokens.ts';
import { buildOpenApi } from './openapi.ts';

/** A module's route as the kernel mounts it: with the `use` its module may call through (its own contract and its `uses`). */
export type MountedRoute = RouteSpec & { use?: <C extends Contract>(contract: C) => Api<C> };

export interface HttpAppOptions {
  routes: MountedRoute[];
  /** What routes mounted without their own `use` (the kernel's operator routes) and the edge call through. */
  use: <C extends Contract>(contract: C) => Api<C>;
  tokens: TokenService;
  /** Whether a signed token still stands, and the user's current role; without it, the token's claims are trusted. */
  sessionCheck?: (claims: TokenClaims) => Promise<AuthUser>;
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  /** One info line per request (method, path, status, ms, request id); off: debug. */
  accessLog: boolean;
  /** Browser origins allowed by CORS; empty: closed. */
  corsOrigins: string[];
  /** When set, /metrics answers only to `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** True once the process is shutting down: new requests get 503 and their connection is closed. */
  draining: () => boolean;
  readiness: () => Promise<Readiness>;
  /** Extra operator routes (e.g. dead letters), mounted as they are. */
  extraRoutes?: RouteSpec[];
  /**
   * Web pages served beside the API (the storefront): mounted before the API's JSON-only body
   * rules, because pages take HTML form posts. They answer their own paths and pass on the rest.
   */
  pages?: express.RequestHandler;
}

/** What /readyz reports: `problems` make this process unready (503); `unreachable` modules only degrade it. */
export interface Readiness {
  problems: string[];
  unreachable: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
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

  app.use(baseHeaders);
  app.use(traceRequests());
  app.use(requestLog(logger, metrics, options.accessLog));
  const cors = corsFor(options.corsOrigins);
  if (cors) app.use(cors);

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

  if (options.pages) app.use(options.pages);

  app.use((req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (BODY_METHODS.has(req.method) && hasBody && !req.is('application/json')) {
      sendProblem(res, 415, 'Send the body as application/json', { instance: req.id });
      return;
    }
    next();
  });
  // Raw routes (signed webhooks) come before the JSON parser and keep the exact bytes, so their
  // signature is checked before anything reads the body: an unsigned body is 401, whatever it holds.
  const allRoutes = [...options.routes, ...(options.extraRoutes ?? [])];
  const raw = express.raw({ type: () => true, limit: options.bodyLimit });
  for (const route of allRoutes.filter((r) => r.raw)) mountRoute(app, route, options, raw);
  app.use(express.json({ limit: options.bodyLimit, strict: true }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { problems, unreachable } = await options.readiness();
    const status = problems.length ? 'unavailable' : unreachable.length ? 'degraded' : 'ready';
    res.status(problems.length ? 503 : 200).json({ status, problems, unreachable });
  });
  const metricsAllowed = bearerCheck(options.metricsToken);
  app.get('/metrics', async (req, res) => {
    if (!metricsAllowed(req.get('authorization'))) {
      res.set('WWW-Authenticate', 'Bearer');
      return sendProblem(res, 401, 'Send Authorization: Bearer <METRICS_TOKEN> to read metrics', { instance: req.id });
    }
    res.type(metrics.contentType).send(await metrics.render());
  });
  const openapi = buildOpenApi(allRoutes);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', docsCsp, swaggerUi.serve, swaggerUi.setup(openapi));
  // A visitor who opens the root finds their way: a small index of what this server offers.
  app.get('/', (_req, res) => {
    res.json({
      name: 'Cleave',
      links: { docs: '/docs', openapi: '/openapi.json', health: '/healthz', readiness: '/readyz', metrics: '/metrics', products: '/api/products', search: '/api/search?q=' },
    });
  });

  for (const route of allRoutes.filter((r) => !r.raw)) mountRoute(app, route, options);

  app.use((req, res) => {
    sendProblem(res, 404, `No route for ${req.method} ${req.path}`, { instance: req.id });
  });
  app.use(errorHandler(logger, options.bodyLimit));
  return app;
}

/** Converts `:id` Express paths and mounts one route with its checks. */
function mountRoute(app: express.Express, route: MountedRoute, options: HttpAppOptions, bodyReader?: express.RequestHandler): void {
  const noStore = isPrivate(route);
  const readers = bodyReader ? [bodyReader] : [];
  app[route.method](route.path, ...readers, async (req: Request, res: Response, next: NextFunction) => {
    // Set before anything can fail, so refusals of private routes are not stored either.
    if (noStore) res.setHeader('Cache-Control', 'no-store');
    try {
      const user = await authenticate(req, route, options);
      const body = route.body && !route.raw ? parse(route.body, req.body ?? {}, 'body') : undefined;
      // A raw route (a signed webhook) reads its exact bytes (rawBody) itself, so it declares no body schema.
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
        rawBody: route.raw && Buffer.isBuffer(req.body) ? req.body : undefined,
        requestId: req.id,
        ip: req.ip ?? 'unknown',
        use: route.use ?? options.use,
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
  const user = options.sessionCheck ? await options.sessionCheck(claims) : claims;
  if (route.access === 'admin' && user.role !== 'admin') throw new AppError('forbidden', 'Admins only');
  return user;
}

/** `Authorization: Bearer <expected>`, compared in constant time; anything goes when nothing is expected. */
function bearerCheck(expected: string | undefined): (header: string | undefined) => boolean {
  if (!expected) return () => true;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const want = digest(expected);
  return (header) => {
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    return token !== undefined && timingSafeEqual(digest(token), want);
  };
}

function parse(schema: import('zod').ZodType, value: unknown, where: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('validation', `Invalid request ${where}`, fieldErrors(result.error).map((e) => ({ ...e, path: `${where}.${e.path}` })));
}
