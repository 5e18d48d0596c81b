/**
 * Child process for the warehouse concurrency test: another warehouse replica on the shop's own
 * warehouse database (the same SQLite file, or the same PostgreSQL schema: the shop's DATABASE_URL
 * variables reach it through the environment), opened by the kernel and wired from the module's
 * definition like the runtime does, minus the outbox relay (the shop's relay delivers what it
 * publishes). It prints "ready" and waits for a product id on stdin (so that slow starts overlap
 * other work and every replica starts at once), reserves one unit of it per order, and prints the
 * statuses as JSON.
 *   node --import tsx tests/support/warehouse-replica.ts <dataDir> <orderPrefix> <orders>
 */
import { Container } from 'inversify';
import { once } from 'node:events';
import { loadConfig } from '../../src/kernel/config.ts';
import type { Implementation } from '../../src/kernel/contract.ts';
import { Outbox } from '../../src/kernel/events/outbox.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { Metrics } from '../../src/kernel/metrics.ts';
import { openModuleDb } from '../../src/kernel/persistence/database.ts';
import { readCachesOf } from '../../src/kernel/persistence/read-cache.ts';
import { bindAll } from '../../src/kernel/provide.ts';
import { Kernel } from '../../src/kernel/tokens.ts';
import type { WarehouseContract } from '../../src/modules/warehouse/contract.ts';
import warehouse from '../../src/modules/warehouse/index.ts';
import { testEnv } from './env.ts';

const [dataDir, orderPrefix, orders] = process.argv.slice(2);
/** The shop's database settings, as its test passed them on. */
const databaseEnv = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^DATABASE_(URL|URL_\w+|POOL_SIZE)$/.test(e[0]) && !!e[1]));
const config = loadConfig(testEnv(dataDir, databaseEnv));
const database = await openModuleDb(config, 'warehouse', warehouse.migrations, new Outbox(warehouse.contract, () => {}));
const container = new Container({ defaultScope: 'Singleton' });
container.bind(Kernel.Config).toConstantValue(config);
container.bind(Kernel.Db).toConstantValue(database);
container.bind(Kernel.Logger).toConstantValue(createLogger('silent'));
container.bind(Kernel.ReadCaches).toConstantValue(readCachesOf('warehouse', database, new Metrics(), config.readCaches));
bindAll(container, warehouse.bindings);
const service = container.get(warehouse.implementation) as Implementation<WarehouseContract>;

process.stdout.write('ready\n');
const productId = String((await once(process.stdin, 'data'))[0]).trim();
const statuses: string[] = [];
for (let i = 0; i < Number(orders); i++) {
  const answer = await service.reserve({ orderId: `${orderPrefix}-${i}`, lines: [{ productId, quantity: 1 }] });
  statuses.push(answer.status);
}
process.stdout.write(`${JSON.stringify(statuses)}\n`);
await database.close();
process.exit(0);
