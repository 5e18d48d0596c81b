import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { Runtime } from '../../src/kernel/runtime.ts';
import orderProcessing from '../../src/modules/order-processing/index.ts';
import orderTaking from '../../src/modules/order-taking/index.ts';
import user from '../../src/modules/user/index.ts';
import { ShopClient } from './client.ts';
import { tempDataDir, testEnv } from './env.ts';
import { fakeNeighbours, neighbourModules, type Neighbours } from './order-neighbours.ts';

export interface OrderShop {
  runtime: Runtime;
  api: ShopClient;
  fakes: Neighbours;
  dataDir: string;
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Stops and starts again on the same data and the same fakes (a clean restart). */
  restart(): Promise<OrderShop>;
}

/** The two order modules and the user module, with fakes for every other module they talk to. */
export async function startOrderShop(options: { fakes?: Neighbours; dataDir?: string } = {}): Promise<OrderShop> {
  const fakes = options.fakes ?? fakeNeighbours();
  const dataDir = options.dataDir ?? tempDataDir();
  const config = loadConfig(testEnv(dataDir));
  const modules = [user, ...neighbourModules(fakes), orderTaking, orderProcessing];
  const runtime = await Runtime.start({ config, logger: createLogger(config.logLevel), modules, hosted: modules.map((m) => m.contract.name), gateway: true });
  const server = await runtime.listen(0, '127.0.0.1');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    runtime,
    api: new ShopClient(`http://127.0.0.1:${port}`),
    fakes,
    dataDir,
    settled: (timeoutMs) => runtime.settled(timeoutMs),
    stop: () => runtime.stop(),
    restart: async () => {
      await runtime.stop();
      return startOrderShop({ fakes, dataDir });
    },
  };
}
