import { Container } from 'inversify';
import type { Server } from 'node:http';
import type express from 'express';
import type { Api, Contract, Implementation } from './contract.ts';
import { localProxy, remoteProxy, type CallObserver } from './calls.ts';
import { readBacklog } from './events/backlog.ts';
import type { Config } from './config.ts';
import { Inbox, type DeadLetter, type InboxHandler } from './events/inbox.ts';
import type { EventHandler } from './events/handlers.ts';
import { Outbox } from './events/outbox.ts';
import { OutboxRelay } from './events/relay.ts';
import { EventPruner } from './events/event-pruner.ts';
import { createHttpApp, type Readiness } from './http/app.ts';
import { checkRegistry, chooseInProcess, sessionCheckOf } from './registry.ts';
import { serveHttp } from './http/listen.ts';
import { deadLetterRoutes } from './operator-routes.ts';
import { deadLetterContract, type DeadLetterContract } from './operations/dead-letter-contract.ts';
import { DeadLetterDesk } from './operations/dead-letter-desk.ts';
import { TokenService } from './http/tokens.ts';
import type { AuthUser } from './http/routes.ts';
import type { Logger } from './logger.ts';
import { Metrics, type CallSide, type ModuleMetrics } from './metrics.ts';
import type { ModuleDefinition } from './module.ts';
import { checkModuleDatabases, openModuleDb } from './persistence/database.ts';
import type { ModuleDb } from './persistence/sql.ts';
import { bindAll } from './provide.ts';
import { readCachesOf } from './persistence/read-cache.ts';
import { Kernel } from './tokens.ts';
import { bindUses, routesOf } from './uses.ts';
import type { Transport } from './transport.ts';

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
  /** Web pages the gateway serves beside the API (the storefront), built once the modules are up. */
  pages?: (edge: PageServices) => express.RequestHandler;
}

/** What a set of web pages gets from the kernel: the modules' interfaces and the API's sign-in check. */
export interface PageServices {
  use<C extends Contract>(contract: C): Api<C>;
  /** Who a signed token belongs to, if it still stands (the same check as the API's); throws `unauthorized`. */
  authenticate(token: string): Promise<AuthUser>;
  config: Config;
  logger: Logger;
}

interface HostedModule {
  definition: ModuleDefinition;
  container: Container;
  database: ModuleDb;
  relay: OutboxRelay;
  /** Deletes delivered events past their retention. */
  pruner: EventPruner;
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
  /** Every module with event handlers, by name: the way to its dead letters, here or where it runs. */
  private readonly deadLetterApis = new Map<string, Api<DeadLetterContract>>();
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
    checkModuleDatabases(config, modules.map((m) => m.contract.name));
    this.root.bind(Kernel.Config).toConstantValue(config);
    this.root.bind(Kernel.Tokens).toConstantValue(this.tokens);
    this.root.bind(Kernel.Metrics).toConstantValue(this.metrics satisfies ModuleMetrics);
    this.metrics.watchTransport(this.transport.kind, () => this.transport.isConnected());
    this.metrics.watchBacklogs(() => this.backlogs());

    for (const definition of modules) {
      const name = definition.contract.name;
      if (!this.options.hosted.includes(name)) {
        if (!this.transport.remote) throw new Error(`Module ${name} is not hosted in this process and no transport reaches it`);
        this.proxies.set(name, remoteProxy(definition.contract, this.transport.remote, this.callsSeenFrom('caller')));
        if (definition.handlers?.length) this.deadLetterApis.set(name, remoteProxy(deadLetterContract(name), this.transport.remote));
      }
    }

    // Opened together: on PostgreSQL each open is a migration session and a pool, a network
    // round trip or several, and the modules' stores do not depend on each other.
    const hostedHere = modules.filter((m) => this.options.hosted.includes(m.contract.name));
    const stores = await openStores(hostedHere, (definition) => openStore(config, definition));
    try {
      for (const definition of hostedHere) await this.host(definition, stores[definition.contract.name]);
    } catch (err) {
      // The stores not yet handed to a module would be left open: no one else holds them.
      await Promise.all(hostedHere.filter((d) => !this.hosted.has(d.contract.name)).map((d) => stores[d.contract.name].database.close()));
      throw err;
    }
    for (const m of this.hosted.values()) {
      m.inbox?.start();
      m.relay.start();
      m.pruner.start();
    }
    // Calls are served from here on (one module's start-up work may call another, here or elsewhere),
    // but pings say `starting` and /readyz is 503 until every module's start-up work is done.
    for (const m of this.hosted.values()) await m.definition.onStart?.(m.container);
    this.started = true;
    this.transport.startupDone?.();

    // Every process answers health, readiness and metrics; only the gateway mounts the shop's routes.
    {
      const sessionCheck = sessionCheckOf(modules, (contract) => this.use(contract));
      const pages = this.options.gateway && this.options.pages
        ? this.options.pages({
          use: (contract) => this.use(contract),
          authenticate: async (token) => {
            const claims = await this.tokens.verify(token);
            return sessionCheck ? sessionCheck(claims) : claims;
          },
          config,
          logger: logger.child({ component: 'pages' }),
        })
        : undefined;
      this.http = createHttpApp({
        pages,
        routes: this.options.gateway ? routesOf(modules, (contract) => this.use(contract)) : [],
        extraRoutes: deadLetterRoutes(new DeadLetterDesk(this.deadLetterApis)),
        use: (contract) => this.use(contract),
        tokens: this.tokens,
        sessionCheck,
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

  private async host(definition: ModuleDefinition, { database, relayIs }: OpenedStore): Promise<void> {
    const { config, logger } = this.options;
    const name = definition.contract.name;
    const log = logger.child({ module: name });
    log.info({ database: database.location, engine: database.dialect, store: database.identity }, 'module database open');
    // Before the module takes a call or an event: every process already answering for it must hold
    // the same store, or the shop's data would split between two. The monolith's in-process
    // transport has no claimStore: one process, so one store per module, nothing to check.
    // (Refused, boot closes the store: it is not hosted yet.)
    await this.transport.claimStore?.(name, { identity: database.identity, location: database.location });
    const container = new Container({ parent: this.root, defaultScope: 'Singleton' });
    // Forwarders, not the proxies themselves: a module's classes may take an interface while they are
    // built, before the module behind it is hosted (it may come later in the registry).
    bindUses(container, definition, this.options.modules, (contract) => this.forwarder(contract));
    const relay = new OutboxRelay(database, (events) => this.transport.publish(events), log, config.events.pollMs);
    relayIs(relay);
    container.bind(Kernel.Db).toConstantValue(database);
    container.bind(Kernel.Logger).toConstantValue(log);
    container.bind(Kernel.ReadCaches).toConstantValue(readCachesOf(name, database, this.metrics, config.readCaches));
    bindAll(container, definition.bindings);

    const implementation = container.get(definition.implementation) as Implementation<Contract>;
    const proxy = localProxy(definition.contract, implementation, log, this.callsSeenFrom('callee'));
    this.proxies.set(name, proxy);
    await this.transport.serve(definition.contract, (method, input) => proxy[method](input));

    let inbox: Inbox | null = null;
    if (definition.handlers?.length) {
      bindAll(container, definition.handlers.map((h) => h.handler));
      const handlers: InboxHandler[] = definition.handlers.map((h) => ({
        name: h.name,
        event: h.event,
        instance: container.get(h.handler.id) as EventHandler<unknown>,
      }));
      const outcomes = Object.fromEntries((['handled', 'retried', 'dead'] as const).map((o) => [o, this.metrics.eventsHandled.labels(name, o)]));
      inbox = new Inbox(database, name, handlers, log, {
        ...config.events,
        onOutcome: (outcome) => outcomes[outcome].inc(),
        onHandlerRun: (handler, seconds, failed) => this.metrics.observeHandler(name, handler, seconds, failed),
      });
      const target = inbox;
      await this.transport.subscribe(name, inbox.types(), (events) => target.receive(events));
      await this.serveDeadLetters(name, target, log);
    }
    const pruner = new EventPruner(database, config.events.retentionMs, log);
    this.hosted.set(name, { definition, container, database, relay, inbox, pruner });
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
    const databases = await Promise.all([...this.hosted].map(async ([name, m]) => [name, await m.database.problem()] as const));
    for (const [name, problem] of databases) if (problem) problems.push(`database of ${name}: ${problem}`);
    if (!this.transport.isConnected()) return { problems: [...problems, `${this.transport.kind} transport disconnected`], unreachable: [] };
    const remote = this.options.modules.map((m) => m.contract.name).filter((n) => !this.hosted.has(n));
    if (!this.options.gateway || remote.length === 0) return { problems, unreachable: [] };
    const { unreachable, starting } = await this.transport.reachability(remote);
    return { problems: [...problems, ...starting.map((name) => `${name} is still starting`)], unreachable };
  }

  /** Resolves once every event published so far has been delivered and handled (tests, shutdown). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Modules are looked at one after another, and a module found idle may receive an event from one
    // looked at later in the same round: only two quiet rounds in a row mean quiet.
    let quietRounds = 0;
    for (;;) {
      const busy: string[] = [];
      for (const [name, m] of this.hosted) {
        const unrelayed = await m.relay.pending();
        if (unrelayed > 0) busy.push(`${name}: ${unrelayed} events not yet relayed`);
        if (m.inbox && !(await m.inbox.isIdle())) busy.push(`${name}: events being handled or waiting`);
      }
      quietRounds = busy.length > 0 ? 0 : quietRounds + 1;
      if (quietRounds === 2) return;
      if (Date.now() > deadline) throw new Error(`events did not settle in time (${busy.join('; ')})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private callsSeenFrom(side: CallSide): CallObserver {
    return (module, method, seconds, outcome) => this.metrics.observeCall(module, method, side, seconds, outcome);
  }

  /** Every hosted module's backlog, for /metrics; a module whose database cannot answer (closing) is left out. */
  private async backlogs() {
    const read = await Promise.all(
      [...this.hosted].map(async ([module, m]) => ({ module, backlog: await readBacklog(m.database, m.inbox !== null).catch(() => null) })),
    );
    return read.flatMap(({ module, backlog }) => (backlog ? [{ module, backlog }] : []));
  }

  /** Answers the operator's dead-letter calls for a hosted module, here and over the transport. */
  private async serveDeadLetters(name: string, inbox: Inbox, log: Logger): Promise<void> {
    const contract = deadLetterContract(name);
    const api = localProxy(contract, { deadLetters: async () => ({ items: await inbox.deadLetters() }), revive: async ({ seq }) => ({ revived: await inbox.revive(seq) }) }, log);
    this.deadLetterApis.set(name, api);
    await this.transport.serve(contract, (method, input) => (api as Record<string, (input: unknown) => Promise<unknown>>)[method](input));
  }

  async deadLetters(): Promise<Array<DeadLetter & { module: string }>> {
    const all: Array<DeadLetter & { module: string }> = [];
    for (const [module, m] of this.hosted) for (const d of (await m.inbox?.deadLetters()) ?? []) all.push({ ...d, module });
    return all;
  }

  /**
   * Serves the HTTP app on `port`. Rejects when the server cannot listen (the port is taken, say),
   * with a message that says what to do; the caller owns the runtime and stops it.
   */
  async listen(port: number, host = '0.0.0.0'): Promise<Server> {
    this.server = await serveHttp(this.http!, port, host, this.options.logger);
    return this.server;
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
    for (const m of this.hosted.values()) await m.pruner.stop();
    await this.transport.close();
    await Promise.all([...this.hosted.values()].map((m) => m.database.close()));
    this.options.logger.info('cleave stopped');
  }
}

/** A hosted module's open database, and how to tell its outbox which relay to wake after each commit. */
interface OpenedStore {
  database: ModuleDb;
  /** The relay exists only once the module is hosted; events committed before then wait for its first poll. */
  relayIs(relay: OutboxRelay): void;
}

async function openStore(config: Config, definition: ModuleDefinition): Promise<OpenedStore> {
  let relay: OutboxRelay | undefined;
  const outbox = new Outbox(definition.contract, () => relay?.wake());
  const database = await openModuleDb(config, definition.contract.name, definition.migrations, outbox);
  return { database, relayIs: (r) => { relay = r; } };
}

/** Opens every store at once; if one fails, closes those that opened and throws the first failure. */
async function openStores(
  definitions: ModuleDefinition[],
  open: (definition: ModuleDefinition) => Promise<OpenedStore>,
): Promise<Record<string, OpenedStore>> {
  const outcomes = await Promise.allSettled(definitions.map(open));
  const opened = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) {
    await Promise.all(opened.map((store) => store.database.close()));
    throw failure.reason;
  }
  return Object.fromEntries(definitions.map((d, i) => [d.contract.name, opened[i]]));
}
