import { loadConfig, ConfigError } from './kernel/config.ts';
import { createLogger } from './kernel/logger.ts';
import { moduleNames } from './app/modules.ts';
import { parseTopology, USAGE } from './app/topology.ts';
import { startShop } from './app/start.ts';
import { serviceNameOf, startTracing } from './kernel/tracing/start-tracing.ts';

/** `npm start`: runs the modules named by the deploy flag (all by default) in this process. */
async function main(): Promise<void> {
  let config;
  let topology;
  if (wantsHelp(process.argv.slice(2))) {
    console.log(USAGE);
    return;
  }
  try {
    config = loadConfig();
    topology = parseTopology(process.argv.slice(2), config, moduleNames);
  } catch (err) {
    // One line a user can act on; the usage is one `--help` away.
    console.error(`${err instanceof Error ? err.message : String(err)}${err instanceof ConfigError ? '' : ' (see --help)'}`);
    process.exit(2);
  }
  if (topology === 'help') {
    console.log(USAGE);
    return;
  }
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  const everyModule = topology.hosted.length === moduleNames.length;
  const tracing = startTracing({
    endpoint: config.tracing.otlpEndpoint,
    serviceName: config.tracing.serviceName ?? serviceNameOf(topology.hosted, everyModule, topology.gateway),
    logger,
  });
  if (config.tracing.otlpEndpoint) logger.info({ endpoint: config.tracing.otlpEndpoint }, 'tracing on: spans go to the OTLP endpoint');
  const shop = await startShop(config, topology, logger).catch((err: unknown) => {
    logger.fatal({ err }, `startup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  logger.info({ url: shop.url, port: config.port, dataDir: config.dataDir }, 'listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down gracefully');
    setTimeout(() => {
      logger.error('graceful shutdown took over 20 s; exiting');
      process.exit(1);
    }, 20_000).unref();
    // The spans of the last requests leave after the shop has stopped making them.
    shop.stop().then(() => tracing.shutdown()).then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Help needs no valid environment: someone asking for it may be about to fix theirs. */
function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

void main();
