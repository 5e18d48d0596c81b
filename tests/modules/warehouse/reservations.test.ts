import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/kernel/config.ts';
import type { Api } from '../../../src/kernel/contract.ts';
import { warehouseContract, type WarehouseContract } from '../../../src/modules/warehouse/contract.ts';
import { demoQuantity } from '../../../src/modules/warehouse/internal/on-product-created.ts';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { published } from '../../support/published.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let shelf: Assortment;
let warehouse: Api<WarehouseContract>;
let categoryId: string;
let replicas: Replica[];

/** A new product with `onHand` units (set by an admin over HTTP). */
async function productWith(onHand: number): Promise<string> {
  const { id } = await shelf.product({ name: 'Enamel Mug', categoryId, price: 1299 });
  await shop.settled();
  await shelf.stock(id, onHand);
  return id;
}

const order = () => `order-${randomUUID()}`;
const one = (productId: string, quantity = 1) => [{ productId, quantity }];
const lowStockAlerts = (productId: string) => published(shop, 'warehouse', { type: 'warehouse.low_stock', key: productId });

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  shelf = await Assortment.open(api);
  warehouse = shop.runtime.use(warehouseContract);
  categoryId = (await shelf.category('Kitchen')).id;
  // Replica processes take seconds to start on a busy machine: they warm up while other tests run.
  replicas = [0, 1].map((n) => startReplica(`replica-${n}-${randomUUID()}`, 25));
});
afterAll(async () => {
  for (const r of replicas ?? []) r.stop();
  await shop?.stop();
});

describe('warehouse: reservations never oversell', () => {
  it('gives the last 10 units to exactly 10 of 50 concurrent orders', async () => {
    const id = await productWith(10);
    const answers = await Promise.all(Array.from({ length: 50 }, () => warehouse.reserve({ orderId: order(), lines: one(id) })));
    expect(answers.filter((a) => a.status === 'reserved')).toHaveLength(10);
    expect(answers.filter((a) => a.status === 'insufficient')).toHaveLength(40);
    expect(await warehouse.getStock({ productId: id })).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
  });

  it('reserves every line of an order or none of them', async () => {
    const plenty = await productWith(5);
    const scarce = await productWith(1);
    const orderId = order();
    const answer = await warehouse.reserve({ orderId, lines: [{ productId: plenty, quantity: 3 }, { productId: scarce, quantity: 2 }] });
    expect(answer).toEqual({ status: 'insufficient', shortages: [{ productId: scarce, requested: 2, available: 1 }] });
    expect((await warehouse.getStock({ productId: plenty })).available).toBe(5);
    expect((await warehouse.getStock({ productId: scarce })).available).toBe(1);
    expect(await published(shop, 'warehouse', { type: 'warehouse.reservation_failed', key: orderId })).toHaveLength(1);
  });

  it('reports a product the warehouse does not know as a shortage with nothing available', async () => {
    const answer = await warehouse.reserve({ orderId: order(), lines: one('no-such-product', 2) });
    expect(answer).toEqual({ status: 'insufficient', shortages: [{ productId: 'no-such-product', requested: 2, available: 0 }] });
  });

  it('adds up two lines of one product', async () => {
    const id = await productWith(5);
    expect((await warehouse.reserve({ orderId: order(), lines: [...one(id, 3), ...one(id, 3)] })).status).toBe('insufficient');
    expect((await warehouse.reserve({ orderId: order(), lines: [...one(id, 2), ...one(id, 3)] })).status).toBe('reserved');
    expect((await warehouse.getStock({ productId: id })).available).toBe(0);
  });
});

describe('warehouse: each order is answered once', () => {
  it('gives the first answer again when an order is reserved twice, and holds its units once', async () => {
    const id = await productWith(5);
    const orderId = order();
    const first = await warehouse.reserve({ orderId, lines: one(id, 2) });
    const again = await warehouse.reserve({ orderId, lines: one(id, 2) });
    expect(again).toEqual(first);
    expect((await warehouse.getStock({ productId: id })).reserved).toBe(2);
    expect(await published(shop, 'warehouse', { type: 'warehouse.stock_reserved', key: orderId })).toHaveLength(1);
  });

  it('keeps a failed reservation failed, even after a restock', async () => {
    const id = await productWith(1);
    const orderId = order();
    expect((await warehouse.reserve({ orderId, lines: one(id, 3) })).status).toBe('insufficient');
    await warehouse.restock({ productId: id, quantity: 10 });
    expect(await warehouse.reserve({ orderId, lines: one(id, 3) })).toEqual({ status: 'insufficient', shortages: [{ productId: id, requested: 3, available: 1 }] });
    expect((await warehouse.getStock({ productId: id })).reserved).toBe(0);
  });

  it('gives released units back once, however often the release is asked', async () => {
    const id = await productWith(5);
    const orderId = order();
    await warehouse.reserve({ orderId, lines: one(id, 4) });
    expect(await warehouse.release({ orderId })).toEqual({ status: 'released' });
    expect(await warehouse.release({ orderId })).toEqual({ status: 'released' });
    expect(await warehouse.getStock({ productId: id })).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await published(shop, 'warehouse', { type: 'warehouse.stock_released', key: orderId })).toHaveLength(1);
    expect(await warehouse.release({ orderId: order() })).toEqual({ status: 'none' });
  });

  it('takes shipped units off on-hand once on commit, and a committed order cannot be released', async () => {
    const id = await productWith(5);
    const orderId = order();
    await warehouse.reserve({ orderId, lines: one(id, 2) });
    expect(await warehouse.commit({ orderId })).toEqual({ status: 'committed' });
    expect(await warehouse.commit({ orderId })).toEqual({ status: 'committed' });
    expect(await warehouse.release({ orderId })).toEqual({ status: 'none' });
    expect(await warehouse.getStock({ productId: id })).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect(await published(shop, 'warehouse', { type: 'warehouse.stock_committed', key: orderId })).toHaveLength(1);
    expect(await warehouse.commit({ orderId: order() })).toEqual({ status: 'none' });
  });

  it('holds nothing for a reserve that arrives after the order was released (a cancel overtook it), and says so', async () => {
    const id = await productWith(5);
    const orderId = order();
    expect(await warehouse.release({ orderId })).toEqual({ status: 'none' });
    expect(await warehouse.reserve({ orderId, lines: one(id, 2) })).toEqual({ status: 'cancelled', shortages: [] });
    expect(await warehouse.reserve({ orderId, lines: one(id, 2) })).toEqual({ status: 'cancelled', shortages: [] });
    expect(await warehouse.getStock({ productId: id })).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await published(shop, 'warehouse', { type: 'warehouse.stock_reserved', key: orderId })).toHaveLength(0);
    expect(await warehouse.release({ orderId })).toEqual({ status: 'none' });
    expect(await warehouse.commit({ orderId })).toEqual({ status: 'none' });
  });

  it('commits nothing for a released order', async () => {
    const id = await productWith(5);
    const orderId = order();
    await warehouse.reserve({ orderId, lines: one(id, 2) });
    await warehouse.release({ orderId });
    expect(await warehouse.commit({ orderId })).toEqual({ status: 'none' });
    expect((await warehouse.getStock({ productId: id })).onHand).toBe(5);
  });
});

describe('warehouse: what it tells the shop', () => {
  it('announces availability on reserve, release, set and restock, but not on commit', async () => {
    const id = await productWith(10);
    const reserved = order();
    await warehouse.reserve({ orderId: reserved, lines: one(id, 3) });
    await warehouse.release({ orderId: reserved });
    const shipped = order();
    await warehouse.reserve({ orderId: shipped, lines: one(id, 1) });
    await warehouse.commit({ orderId: shipped });
    await warehouse.restock({ productId: id, quantity: 4 });
    const changes = (await published(shop, 'warehouse', { type: 'warehouse.availability_changed', key: id })).map((e) => [e.payload.previousAvailable, e.payload.available]);
    expect(changes).toEqual([[0, 10], [10, 7], [7, 10], [10, 9], [9, 13]]);
    expect((await published(shop, 'warehouse', { type: 'warehouse.restocked', key: id })).map((e) => e.payload)).toEqual([{ productId: id, quantity: 4, available: 13, previousAvailable: 9 }]);
  });

  it('alerts admins once each time available falls below the threshold', async () => {
    const id = await productWith(10);
    await warehouse.reserve({ orderId: order(), lines: one(id, 3) });
    expect(await lowStockAlerts(id)).toHaveLength(0);
    const dip = order();
    await warehouse.reserve({ orderId: dip, lines: one(id, 3) });
    await warehouse.reserve({ orderId: order(), lines: one(id, 1) });
    expect((await lowStockAlerts(id)).map((e) => e.payload)).toEqual([{ productId: id, available: 4, threshold: 5 }]);
    await warehouse.release({ orderId: dip });
    await warehouse.reserve({ orderId: order(), lines: one(id, 4) });
    expect((await lowStockAlerts(id)).map((e) => e.payload.available)).toEqual([4, 2]);
  });

  it('alerts when a raised threshold puts available below it', async () => {
    const id = await productWith(8);
    await warehouse.setStock({ productId: id, onHand: 8, lowStockThreshold: 10 });
    expect((await lowStockAlerts(id)).map((e) => e.payload)).toEqual([{ productId: id, available: 8, threshold: 10 }]);
  });
});

describe('warehouse: replicas in other processes', () => {
  it('gives exactly as many units as there are to replicas in other processes sharing the database', async () => {
    const id = await productWith(30);
    await Promise.all(replicas.map((r) => r.ready));
    for (const r of replicas) r.go(id);
    const here = Promise.all(Array.from({ length: 25 }, () => warehouse.reserve({ orderId: order(), lines: one(id) })));
    const statuses = [...(await Promise.all(replicas.map((r) => r.statuses))).flat(), ...(await here).map((a) => a.status)];
    expect(statuses).toHaveLength(75);
    expect(statuses.filter((s) => s === 'reserved')).toHaveLength(30);
    expect(await warehouse.getStock({ productId: id })).toMatchObject({ onHand: 30, reserved: 30, available: 0 });
  }, 30_000);
});

describe('warehouse: demo stock', () => {
  it('derives 20..200 demo units from the product id, the same on every run', () => {
    const quantities = Array.from({ length: 500 }, (_, i) => demoQuantity(`product-${i}`));
    expect(Math.min(...quantities)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...quantities)).toBeLessThanOrEqual(200);
    expect(new Set(quantities).size).toBeGreaterThan(100);
    expect(demoQuantity('product-7')).toBe(quantities[7]);
  });
});

interface Replica {
  ready: Promise<string>;
  go(productId: string): void;
  statuses: Promise<string[]>;
  stop(): void;
}

/** Starts a warehouse replica process; `go(productId)` lets it reserve one unit for each of `orders` orders. */
function startReplica(orderPrefix: string, orders: number): Replica {
  const script = fileURLToPath(new URL('../../support/warehouse-replica.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, shop.dataDir, orderPrefix, String(orders)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...databaseEnvOf(shop.config) },
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the warehouse replica exited early');
    return line.value;
  };
  const ready = next();
  return {
    ready,
    go: (productId) => child.stdin!.write(`${productId}\n`),
    statuses: ready.then(next).then((line) => JSON.parse(line) as string[]),
    stop: () => child.kill(),
  };
}

/** The variables that put a process on the shop's databases (none: SQLite files in its data dir). */
function databaseEnvOf({ database }: Config): Record<string, string> {
  const env: Record<string, string> = { DATABASE_POOL_SIZE: String(database.poolSize) };
  if (database.url) env.DATABASE_URL = database.url;
  for (const [suffix, url] of Object.entries(database.perModule)) env[`DATABASE_URL_${suffix}`] = url;
  return env;
}
