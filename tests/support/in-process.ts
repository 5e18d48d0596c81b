import { moduleNames } from '../../src/app/modules.ts';
import { startShop } from '../../src/app/start.ts';
import { loadConfig, type Config } from '../../src/kernel/config.ts';
import { createLogger, type Logger } from '../../src/kernel/logger.ts';
import type { ModuleDefinition } from '../../src/kernel/module.ts';
import { Runtime } from '../../src/kernel/runtime.ts';
import type { Transport } from '../../src/kernel/transport.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { engineEnv } from './engine.ts';
import { testEnv } from './env.ts';

/**
 * The one way to start a shop in this process (tests/support/processes.ts starts real ones).
 * Without `modules` it is the whole shop, started by the composition root as src/main.ts starts
 * it; with `modules` it is a runtime of just those definitions: a kernel test's tiny modules, or
 * the order modules beside fakes of their neighbours (order-shop.ts).
 */
export interface InProcessOptions {
  /** The module definitions to run instead of the whole shop. */
  modules?: ModuleDefinition[];
  /** Which of `modules` this process hosts (default: all); the others are reached through `transport`. */
  hosted?: string[];
  /** Whether this process serves the shop's HTTP API for `modules` (default: yes). */
  gateway?: boolean;
  /** How `modules` reach modules hosted elsewhere and their events; a function is given the loaded config. */
  transport?: Transport | ((config: Config) => Promise<Transport>);
  /** Default: a logger at the test environment's LOG_LEVEL. */
  logger?: Logger;
  /** `modules` serve HTTP on a free port (default), or only build the app (`runtime.http`, for supertest). */
  listen?: boolean;
  /** Default: a fresh data dir. */
  dataDir?: string;
  /** On top of the test environment (env.ts). */
  env?: Record<string, string>;
}

export interface TestShop {
  runtime: Runtime;
  config: Config;
  dataDir: string;
  /** The base URL of its HTTP server ('' when started with `listen: false`). */
  url: string;
  /** Waits until every event published so far has been delivered and handled. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Stops this shop and starts a new one with the same options on the same data (a clean restart). */
  restart(): Promise<TestShop>;
}

/** Starts the whole shop (or `modules`) in this process on a fresh (or given) data dir. */
export async function startTestShop(options: InProcessOptions = {}): Promise<TestShop> {
  const dataDir = options.dataDir ?? tempDataDir();
  const config = loadConfig(testEnv(dataDir, { ...(await engineEnv(dataDir)), ...options.env }));
  const logger = options.logger ?? createLogger(config.logLevel);
  const { runtime, url } = options.modules ? await startModules(options.modules, config, logger, options) : await startWholeShop(config, logger);
  return {
    runtime,
    config,
    dataDir,
    url,
    settled: (timeoutMs) => runtime.settled(timeoutMs),
    stop: () => runtime.stop(),
    restart: async () => {
      await runtime.stop();
      return startTestShop({ ...options, dataDir });
    },
  };
}

/** Every module, hosted here, with the HTTP API on a free port: the monolith. */
function startWholeShop(config: Config, logger: Logger): Promise<{ runtime: Runtime; url: string }> {
  return startShop(config, { hosted: moduleNames, gateway: true, checkTopology: false }, logger);
}

async function startModules(modules: ModuleDefinition[], config: Config, logger: Logger, options: InProcessOptions): Promise<{ runtime: Runtime; url: string }> {
  const transport = typeof options.transport === 'function' ? await options.transport(config) : options.transport;
  const runtime = await Runtime.start({
    config,
    logger,
    modules,
    hosted: options.hosted ?? modules.map((m) => m.contract.name),
    gateway: options.gateway ?? true,
    transport,
  });
  if (options.listen === false) return { runtime, url: '' };
  const server = await runtime.listen(0, '127.0.0.1');
  const address = server.address();
  return { runtime, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}
