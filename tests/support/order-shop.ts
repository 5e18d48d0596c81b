import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Contract, Implementation } from '../../src/kernel/contract.ts';
import { unprocessable } from '../../src/kernel/errors.ts';
import { defineModule, provide, type ModuleDefinition } from '../../src/kernel/module.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { Kernel } from '../../src/kernel/tokens.ts';
import { cartContract } from '../../src/modules/cart/contract.ts';
import { logisticsContract } from '../../src/modules/logistics/contract.ts';
import { paymentContract } from '../../src/modules/payment/contract.ts';
import { warehouseContract } from '../../src/modules/warehouse/contract.ts';
import orderProcessing from '../../src/modules/order-processing/index.ts';
import orderTaking from '../../src/modules/order-taking/index.ts';
import user from '../../src/modules/user/index.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { ShopClient } from './client.ts';
import { startTestShop, type TestShop } from './in-process.ts';
import { fakeNeighbours, type Neighbours } from './order-neighbours.ts';
import { eventsKeyed, orderAsOwnerSees, type Probe } from './unchanged.ts';

export interface OrderShop extends TestShop {
  api: ShopClient;
  fakes: Neighbours;
  /** Stops and starts again on the same data, fakes and environment (a clean restart). */
  restart(): Promise<OrderShop>;
}

/** The two order modules and the user module, with fakes for every other module they talk to, in this process. */
export async function startOrderShop(options: { fakes?: Neighbours; dataDir?: string; env?: Record<string, string> } = {}): Promise<OrderShop> {
  const fakes = options.fakes ?? fakeNeighbours();
  const shop = await startTestShop({ modules: [user, ...neighbourModules(fakes), orderTaking, orderProcessing], dataDir: options.dataDir, env: options.env });
  return {
    ...shop,
    api: new ShopClient(shop.url),
    fakes,
    restart: async () => {
      await shop.stop();
      return startOrderShop({ fakes, dataDir: shop.dataDir, env: options.env });
    },
  };
}

/**
 * Everything an order has touched, for asserting that a refusal changed none of it: the order as
 * its owner sees it, every event about it, its reservation and the stock of its products, its
 * payment and its parcel (the last three as the fakes keep them).
 */
export function orderFootprint(shop: OrderShop, ownerToken: string, orderId: string): Record<string, Probe> {
  const { warehouse, payment, logistics } = shop.fakes;
  return {
    order: orderAsOwnerSees(shop.api, ownerToken, orderId),
    events: eventsKeyed(shop, ['order-taking', 'order-processing', 'logistics'], orderId),
    reservation: () => warehouse.reservations.get(orderId),
    stock: () => (warehouse.reservations.get(orderId)?.lines ?? []).map((l) => ({ productId: l.productId, ...warehouse.stock.get(l.productId) })),
    payment: () => payment.payments.get(orderId),
    parcel: () => logistics.shipments.get(orderId),
  };
}

/**
 * A drizzle migrations folder with no migrations, for each engine (the kernel reads `<folder>/sqlite`
 * or `<folder>/postgres`): the fakes keep their state in memory.
 */
function noMigrations(): string {
  const dir = join(tempDataDir('cleave-fake-migrations-'), 'migrations');
  for (const [engine, dialect] of [['sqlite', 'sqlite'], ['postgres', 'postgresql']]) {
    mkdirSync(join(dir, engine, 'meta'), { recursive: true });
    writeFileSync(join(dir, engine, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect, entries: [] }));
  }
  return dir;
}

/** Every call of the contract that the fake does not answer is refused, loudly. */
function complete<C extends Contract>(contract: C, fake: object): Implementation<C> {
  const refuse = (method: string) => () => { throw unprocessable(`${contract.name}.${method} is not part of the order-flow fake`); };
  return Object.fromEntries(Object.keys(contract.methods).map((m) => {
    const fn = (fake as Record<string, unknown>)[m];
    return [m, typeof fn === 'function' ? fn.bind(fake) : refuse(m)];
  })) as Implementation<C>;
}

/** Module definitions hosting the fakes, so the kernel wires them like real modules. */
function neighbourModules(fakes: Neighbours): ModuleDefinition[] {
  const migrations = noMigrations();
  const host = <C extends Contract>(contract: C, make: (db: ModuleDb) => object) => {
    const token = Symbol(`fake ${contract.name}`);
    return defineModule({
      contract,
      migrations,
      bindings: [provide(token, [Kernel.Db], (db: ModuleDb) => complete(contract, make(db)))],
      implementation: token,
    }) as unknown as ModuleDefinition;
  };
  return [
    host(cartContract, () => fakes.cart),
    host(warehouseContract, () => fakes.warehouse),
    host(paymentContract, () => fakes.payment),
    host(logisticsContract, (db) => fakes.logistics.attach(db)),
  ];
}
