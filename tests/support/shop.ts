import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { moduleNames } from '../../src/app/modules.ts';
import { startShop, type Shop } from '../../src/app/start.ts';
import { tempDataDir, testEnv } from './env.ts';

export interface TestShop extends Shop {
  dataDir: string;
  /** Waits until every event published so far has been delivered and handled. */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops this shop and starts a new one on the same data (a clean restart). */
  restart(): Promise<TestShop>;
}

/** Starts the whole shop in this process on a fresh (or given) data dir, listening on a free port. */
export async function startTestShop(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<TestShop> {
  const dataDir = options.dataDir ?? tempDataDir();
  const env = testEnv(dataDir, options.env);
  const config = loadConfig(env);
  const shop = await startShop(config, { hosted: moduleNames, gateway: true, checkTopology: false }, createLogger(config.logLevel));
  return {
    ...shop,
    dataDir,
    settled: (timeoutMs) => shop.runtime.settled(timeoutMs),
    restart: async () => {
      await shop.stop();
      return startTestShop({ ...options, dataDir });
    },
  };
}
