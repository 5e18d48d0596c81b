import type { Server } from 'node:http';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { NatsTransport } from '../kernel/nats/nats-transport.ts';
import { Runtime } from '../kernel/runtime.ts';
import type { Transport } from '../kernel/transport.ts';
import { createStorefront } from '../storefront/index.ts';
import { allModules } from './modules.ts';
import type { Topology } from './topology.ts';

export interface Shop {
  runtime: Runtime;
  server: Server;
  /** The base URL the HTTP server listens on. */
  url: string;
  stop(): Promise<void>;
}

/** Starts one process of the shop: the modules the topology names, and the HTTP server. */
export async function startShop(config: Config, topology: Topology, logger: Logger): Promise<Shop> {
  warnAboutDevelopmentSecrets(config, logger);
  const everyModuleHere = allModules.every((m) => topology.hosted.includes(m.contract.name));
  const transport: Transport | undefined = everyModuleHere ? undefined : await connectBroker(config, topology, logger);
  let runtime: Runtime;
  try {
    runtime = await Runtime.start({ config, logger, modules: allModules, hosted: topology.hosted, gateway: topology.gateway, transport, pages: createStorefront });
  } catch (err) {
    await transport?.close();
    throw err;
  }
  if (topology.checkTopology && transport) await checkTopology(runtime, transport, topology);
  let server: Server;
  try {
    server = await runtime.listen(config.port);
  } catch (err) {
    // Without its port this process must not live on: its modules would keep answering over NATS
    // and a launcher could take another program's /readyz for its own.
    await runtime.stop().catch((stopErr: unknown) => logger.error({ err: stopErr }, 'could not stop cleanly after the failed start'));
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { runtime, server, url: `http://127.0.0.1:${port}`, stop: () => runtime.stop() };
}

/** Modules hosted elsewhere (or none here at all, a pure gateway) are reached over NATS. */
function connectBroker(config: Config, topology: Topology, logger: Logger): Promise<Transport> {
  return NatsTransport.connect({
    url: config.natsUrl,
    namespace: config.natsNamespace,
    streamReplicas: config.natsStreamReplicas,
    logger,
    rpcTimeoutMs: config.rpcTimeoutMs,
    hostedModules: topology.hosted,
  });
}

/** Processes of one deploy start together, so the others get a short grace period to come up. */
const CHECK_TOPOLOGY_GRACE_MS = 3_000;

/** --check-topology: refuse to run while some module answers nowhere (a typo'd or missing deploy). */
async function checkTopology(runtime: Runtime, transport: Transport, topology: Topology): Promise<void> {
  const remote = allModules.map((m) => m.contract.name).filter((n) => !topology.hosted.includes(n));
  const deadline = Date.now() + CHECK_TOPOLOGY_GRACE_MS;
  let missing = await transport.unreachable(remote);
  while (missing.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    missing = await transport.unreachable(missing);
  }
  if (!missing.length) return;
  await runtime.stop();
  throw new Error(
    `--check-topology: no process answers for ${missing.join(', ')} (waited ${CHECK_TOPOLOGY_GRACE_MS / 1000} s). ` +
      'Start a process hosting them (--modules ...) on the same NATS_URL and NATS_NAMESPACE, or drop --check-topology.',
  );
}

/** Says where generated secrets are kept (never their values) and warns when production takes test cards. */
function warnAboutDevelopmentSecrets(config: Config, logger: Logger): void {
  const { jwt, carrierWebhook } = config.storedSecrets;
  if (jwt) logger.info({ file: jwt }, 'JWT_SECRET is not set: tokens are signed with a random secret kept in this file (every process of the shop must share it)');
  if (carrierWebhook) logger.info({ file: carrierWebhook }, 'CARRIER_WEBHOOK_SECRET is not set: carrier webhooks are checked with a random secret kept in this file; give it to your carrier');
  if (config.testGatewayInProduction) {
    logger.warn('PAYMENT_GATEWAY=test in production: the built-in TEST gateway takes test cards only and charges nobody. Do not take real orders with it.');
  }
}
