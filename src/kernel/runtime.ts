import { Container } from 'inversify';
import { createServer, type Server } from 'node:http';
import type express from 'express';
import type { Api, Contract, Implementation } from './contract.ts';
import { localProxy, remoteProxy } from './calls.ts';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import { Inbox, type DeadLetter, type InboxHandler } from './events/inbox.ts';
import type { EventHandler } from './events/handlers.ts';
import { InProcessTransport } from './events/local-bus.ts';
import { Outbox } from './events/outbox.ts';
import { OutboxRelay } from './events/relay.ts';
import { createHttpApp, type Readiness } from './http/app.ts';
import { defineRoutes, type RouteSpec, type SessionCheck } from './http/routes.ts';
import { TokenService } from './http/tokens.ts';
import type { Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import type { ModuleDefinition } from './module.ts';
import { openModuleDatabase, type ModuleDatabase } from './persistence/database.ts';
import { readCachesOf } from './persistence/read-cache.ts';
import { Kernel } from './tokens.ts';
import type { Transport } from './transport.ts';
import { z } from 'zod';

/**
 * Response header of /healthz and /readyz naming the process that answers, so a launcher can tell
 * its own child from another program that holds the port (scripts/topology/child.ts).
 */
export const PROCESS_ID_HEADER = 'X-Cleave-Pid';

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  /** Every module the shop knows (the registry), hosted here or not. */
  modules: ModuleDefinition[];
  /** Names of the modules this process hosts. */
  hosted: string[];
  /** Whether this process serves the shop's HTTP API. */
  gateway: boolean;
  /** How to reach modules and consumers outside this process; required unless every module is hosted here. */
  transport?: Transport;
}

interface HostedModule {
  definition: ModuleDefinition;
  container: Container;
  database: ModuleDatabase;
  relay: OutboxRelay;
  inbox: Inbox | null;
}

/**
 * The running kernel of one process: it opens each hosted module's database, builds its
 * container, wires calls and events through the transport, and serves HTTP if asked.
 */
export class Runtime {
  readonly root = new Container({ defaultScope: 'Singleton' });
  readonly metrics = new Metrics();
  readonly tokens: TokenService;
  http: express.Express | null = null;
  private readonly hosted = new Map<string, HostedModule>();
  private readonly proxies = new Map<string, Api<Contract>>();
  private readonly transport: Transport;
  private server: Server | null = null;
  private stopping = false;
  /** True once every hosted module's onStart has finished (api.md: ready means start-up work done). */
  private started = false;

  private constructor(private readonly options: RuntimeOptions) {
    this.tokens = new TokenService(options.config.jwtSecret, options.config.jwtTtlSeconds);
    this.transport = options.transport ?? chooseInProcess(options);
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options);
    await runtime.boot();
    return runtime;
  }

  get hostedModules(): string[] {
    return [...this.hosted.keys()];
  }

  /** A module's public interface, local or remote. */
  use<C extends Contract>(contract: C): Api<C> {
    const proxy = this.proxies.get(contract.name);
    if (!proxy) throw new Error(`Unknown module ${contract.name}`);
    return proxy as Api<C>;
  }

  /** A module's interface that finds the module on each call, so it can be handed out before the module is up. */
  private forwarder<C extends Contract>(contract: C): Api<C> {
    const api: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const method of Object.keys(contract.methods)) {
      api[method] = async (input) => (this.use(contract) as Record<string, (input: unknown) => Promise<unknown>>)[method](input);
    }
    return Object.freeze(api) as Api<C>;
  }

  /** A hosted module's own container (tests and operator tools only). */
  containerOf(moduleName: string): Container {
    const m = this.hosted.get(moduleName);
    if (!m) throw new Error(`Module ${moduleName} is not hosted in this process`);
    return m.container;
  }

  private async boot(): Promise<void> {
    const { config, logger, modules } = this.options;
    checkRegistry(modules, this.options.hosted);
    this.root.bind(Kernel.Config).toConstantValue(config);
    this.root.bind(Kernel.Tokens).toConstantValue(this.tokens);

    for (const definition of modules) {
      const name = definition.contract.name;
      if (!this.options.hosted.includes(name)) {
        if (!this.transport.remote) throw new Error(`Module ${name} is not hosted in this process and no transport reaches it`);
        this.proxies.set(name, remoteProxy(definition.contract, this.transport.remote));
      }
      // A forwarder, not the proxy itself: a module's classes may take this interface while they are
      // built, before the module behind it is hosted (it may come later in the registry).
      this.root.bind(definition.contract.token).toConstantValue(this.forwarder(definition.contract));
    }

    for (const definition of modules.filter((m) => this.options.hosted.includes(m.contract.name))) {
      await this.host(definition);
    }
    for (const m of this.hosted.values()) {
      m.inbox?.start();
      m.relay.start();
    }
    // Calls are served from here on (one module's start-up work may call another, here or elsewhere),
    // but pings say `starting` and /readyz is 503 until every module's start-up work is done.
    for (const m of this.hosted.values()) await m.definition.onStart?.(m.container);
    this.started = true;
    this.transport.startupDone?.();

    // Every process answers health, readiness and metrics; only the gateway mounts the shop's routes.
    {
      this.http = createHttpApp({
        routes: this.options.gateway ? modules.flatMap((m) => m.routes ?? []) : [],
        extraRoutes: this.operatorRoutes(),
        use: (contract) => this.use(contract),
        tokens: this.tokens,
        sessionCheck: sessionCheckOf(modules),
        logger: logger.child({ component: 'http' }),
        metrics: this.metrics,
        bodyLimit: config.httpBodyLimit,
        accessLog: config.accessLog,
        corsOrigins: config.corsOrigins,
        metricsToken: config.metricsToken,
        readiness: () => this.readiness(),
        draining: () => this.stopping,
      });
    }
    logger.info({ hosted: this.hostedModules, gateway: this.options.gateway, transport: this.transport.kind }, 'cleave started');
  }

  private async host(definition: ModuleDefinition): Promise<void> {
    const { config, logger } = this.options;
    const name = definition.contract.name;
    const log = logger.child({ module: name });
    const database = openModuleDatabase(config.dataDir, name, definition.migrations);
    const container = new Container({ parent: this.root, defaultScope: 'Singleton' });
    const relay = new OutboxRelay(database.sqlite, (events) => this.transport.publish(events), log, config.events.pollMs);
    container.bind(Kernel.Db).toConstantValue(database.db);
    container.bind(Kernel.Sqlite).toConstantValue(database.sqlite);
    container.bind(Kernel.Logger).toConstantValue(log);
    container.bind(Kernel.Outbox).toConstantValue(new Outbox(database.sqlite, definition.contract, () => relay.wake()));
    container.bind(Kernel.ReadCaches).toConstantValue(readCachesOf(name, database.sqlite, this.metrics, config.readCaches));
    definition.bindings(container.bind.bind(container));

    const implementation = container.get(definition.implementation) as Implementation<Contract>;
    const proxy = localProxy(definition.contract, implementation, log);
    this.proxies.set(name, proxy);
    await this.transport.serve(definition.contract, (method, input) => proxy[method](input));

    let inbox: Inbox | null = null;
    if (definition.handlers?.length) {
      const handlers: InboxHandler[] = definition.handlers.map((h) => ({
        name: h.name,
        event: h.event,
        instance: container.get(h.handler) as EventHandler<unknown>,
      }));
      const outcomes = Object.fromEntries((['handled', 'retried', 'dead'] as const).map((o) => [o, this.metrics.eventsHandled.labels(name, o)]));
      inbox = new Inbox(database.sqlite, name, handlers, log, { ...config.events, onOutcome: (outcome) => outcomes[outcome].inc() });
      const target = inbox;
      await this.transport.subscribe(name, inbox.types(), (events) => target.receive(events));
    }
    this.hosted.set(name, { definition, container, database, relay, inbox });
  }

  /**
   * Readiness as api.md defines it: this process's databases are open and, when split, its broker
   * connection is up (`problems`, 503). The gateway also names modules that answer nowhere
   * (`unreachable`), but stays ready: browsing and carts keep working while, say, payment
   * restarts, and a load balancer that pulled every gateway would turn one dead module into a
   * dead shop. Calls to an unreachable module answer 503 on their own.
   * Start-up work counts, though: until this process's modules have run their onStart (created the
   * admin account, seeded the demo catalog), and until every module answering elsewhere has too
   * (its ping says `starting`), the process is not ready: a client told "ready" must be able to
   * sign in as ADMIN_EMAIL at once.
   */
  async readiness(): Promise<Readiness> {
    if (this.stopping) return { problems: ['shutting down'], unreachable: [] };
    const problems: string[] = [];
    if (!this.started) problems.push('still starting');
    for (const [name, m] of this.hosted) if (!m.database.sqlite.open) problems.push(`database of ${name} is closed`);
    if (!this.transport.isConnected()) return { problems: [...problems, `${this.transport.kind} transport disconnected`], unreachable: [] };
    const remote = this.options.modules.map((m) => m.contract.name).filter((n) => !this.hosted.has(n));
    if (!this.options.gateway || remote.length === 0) return { problems, unreachable: [] };
    const { unreachable, starting } = await this.transport.reachability(remote);
    return { problems: [...problems, ...starting.map((name) => `${name} is still starting`)], unreachable };
  }

  /** Resolves once every event published so far has been delivered and handled (tests, shutdown). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = [...this.hosted.values()].some((m) => m.relay.pending() > 0 || (m.inbox && !m.inbox.isIdle()));
      if (!busy) return;
      if (Date.now() > deadline) throw new Error('events did not settle in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  deadLetters(): Array<DeadLetter & { module: string }> {
    return [...this.hosted.entries()].flatMap(([module, m]) => (m.inbox?.deadLetters() ?? []).map((d) => ({ ...d, module })));
  }

  private operatorRoutes(): RouteSpec[] {
    return defineRoutes((r) => {
      r.get('/api/admin/dead-letters', { access: 'admin', summary: 'Events whose handler gave up, per module hosted here' }, () => ({
        items: this.deadLetters(),
      }));
      r.post(
        '/api/admin/dead-letters/:module/:seq/retry',
        { access: 'admin', summary: 'Queue a dead event again', params: z.strictObject({ module: z.string(), seq: z.coerce.number().int() }) },
        ({ params }) => {
          const inbox = this.hosted.get(params.module)?.inbox;
          if (!inbox || !inbox.revive(params.seq)) throw new AppError('not_found', 'No such dead letter');
          return { status: 'queued' };
        },
      );
    });
  }

  /**
   * Serves the HTTP app on `port`. Rejects when the server cannot listen (the port is taken, say),
   * with a message that says what to do; the caller owns the runtime and stops it.
   */
  listen(port: number, host = '0.0.0.0'): Promise<Server> {
    const app = this.http!;
    const server = createServer((req, res) => {
      const path = req.url?.split('?', 1)[0];
      if (path === '/healthz' || path === '/readyz') res.setHeader(PROCESS_ID_HEADER, String(process.pid));
      app(req, res);
    });
    return new Promise((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException) => reject(listenError(err, port, host));
      server.once('error', failed);
      server.listen(port, host, () => {
        server.off('error', failed);
        // Later errors (an accept failing with EMFILE, say) must not crash the process unheard.
        server.on('error', (err) => this.options.logger.error({ err }, 'HTTP server error'));
        this.server = server;
        resolve(server);
      });
    });
  }

  /** Graceful stop: no new requests, finish in-flight ones, drain outboxes and handlers, close. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Kept-alive clients get a second to send on: they are answered 503 + Connection: close
        // (a clean retry) instead of a reset; then idle connections go, and after 5 s all of them.
        setTimeout(() => server.closeIdleConnections(), 1_000).unref();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
    }
    // Callers in other processes now get `unavailable` and retry elsewhere or later.
    await this.transport.stopServing?.();
    for (const m of this.hosted.values()) await m.inbox?.stop();
    for (const m of this.hosted.values()) await m.definition.onStop?.(m.container);
    for (const m of this.hosted.values()) await m.relay.stop();
    await this.transport.close();
    for (const m of this.hosted.values()) m.database.sqlite.close();
    this.options.logger.info('cleave stopped');
  }
}

/** Why the HTTP server could not listen, and what to do about it. */
function listenError(err: NodeJS.ErrnoException, port: number, host: string): Error {
  const message =
    err.code === 'EADDRINUSE'
      ? `PORT ${port} is already in use (EADDRINUSE): stop the program using it or set PORT`
      : err.code === 'EACCES'
        ? `PORT ${port} needs privileges this process lacks (EACCES): set PORT to 1024 or above`
        : `Cannot listen on ${host}:${port} (${err.code ?? err.message}): check PORT`;
  return new Error(message, { cause: err });
}

function chooseInProcess(options: RuntimeOptions): Transport {
  const all = options.modules.map((m) => m.contract.name);
  const missing = all.filter((n) => !options.hosted.includes(n));
  if (missing.length) {
    throw new Error(
      `Modules ${missing.join(', ')} are not hosted in this process and no transport can reach them. ` +
        'Host them here (--modules all) or run with a broker (see README: "Splitting the shop").',
    );
  }
  return new InProcessTransport();
}

/** The one module that owns accounts decides whether a token still stands (none: the signature is enough). */
function sessionCheckOf(modules: ModuleDefinition[]): SessionCheck | undefined {
  const owners = modules.filter((m) => m.sessionCheck);
  if (owners.length > 1) throw new Error(`Only one module may check sessions; found ${owners.map((m) => m.contract.name).join(', ')}`);
  return owners[0]?.sessionCheck;
}

function checkRegistry(modules: ModuleDefinition[], hosted: string[]): void {
  const names = new Set<string>();
  const eventTypes = new Map<string, string>();
  for (const m of modules) {
    if (names.has(m.contract.name)) throw new Error(`Two modules are named ${m.contract.name}`);
    names.add(m.contract.name);
    for (const e of Object.values(m.contract.events)) {
      const owner = eventTypes.get(e.type);
      if (owner) throw new Error(`Event ${e.type} is declared by both ${owner} and ${m.contract.name}`);
      eventTypes.set(e.type, m.contract.name);
    }
  }
  for (const h of hosted) if (!names.has(h)) throw new Error(`Unknown module "${h}". Known modules: ${[...names].join(', ')}`);
}
