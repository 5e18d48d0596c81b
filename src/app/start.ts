import type { Server } from 'node:http';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { Runtime } from '../kernel/runtime.ts';
import type { Transport } from '../kernel/transport.ts';
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
  const transport: Transport | undefined = everyModuleHere ? undefined : await connectBroker(config, logger);
  const runtime = await Runtime.start({ config, logger, modules: allModules, hosted: topology.hosted, gateway: topology.gateway, transport });
  const server = await runtime.listen(config.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { runtime, server, url: `http://127.0.0.1:${port}`, stop: () => runtime.stop() };
}

async function connectBroker(_config: Config, _logger: Logger): Promise<Transport | undefined> {
  // No remote transport yet: Runtime refuses a topology with modules hosted elsewhere, naming them.
  return undefined;
}

function warnAboutDevelopmentSecrets(config: Config, logger: Logger): void {
  if (config.jwtSecretIsDefault) {
    logger.warn('JWT_SECRET is not set: using a PUBLIC development secret. Anyone can forge tokens. Set JWT_SECRET (32+ chars) before exposing this server.');
  }
  if (config.carrierSecretIsDefault) {
    logger.warn('CARRIER_WEBHOOK_SECRET is not set: using a development secret for carrier webhooks. Set it before going live.');
  }
}
