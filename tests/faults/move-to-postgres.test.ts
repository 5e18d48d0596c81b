import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { Journeys, type Order } from '../journey/journey-helpers.ts';
import { ChildShop } from '../support/child-shop.ts';
import { dbMove, sqliteRows } from '../support/db-move.ts';
import { databaseFor, TEST_ENGINE } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';

/**
 * The shop owner's walk from `npm start` to PostgreSQL, the hard way: the shop on SQLite dies
 * (kill -9) in the middle of checkouts, its data is moved with `npm run db:move`, and the shop
 * started on PostgreSQL finishes every order it had accepted, from the outbox and inbox rows
 * the move carried over.
 */

const shops: ChildShop[] = [];
afterAll(async () => {
  for (const shop of shops) await shop.stop();
});

const DECLINED = 'tok_chargeDeclined';

/** Work the dead shop left unfinished: events not yet relayed, handlers not yet run, orders not yet settled. */
function workInFlight(dataDir: string): { unpublished: number; pending: number; unsettled: number } {
  let unpublished = 0;
  let pending = 0;
  for (const module of moduleNames) {
    unpublished += sqliteRows<{ n: number }>(dataDir, module, 'SELECT count(*) AS n FROM kernel_outbox WHERE published_at IS NULL')[0].n;
    pending += sqliteRows<{ n: number }>(dataDir, module, "SELECT count(*) AS n FROM kernel_inbox WHERE status = 'pending'")[0].n;
  }
  const [{ n: unsettled }] = sqliteRows<{ n: number }>(dataDir, 'order-taking', "SELECT count(*) AS n FROM orders WHERE status NOT IN ('paid', 'cancelled')");
  return { unpublished, pending, unsettled };
}

describe('moving a shop killed mid-checkout from SQLite to PostgreSQL', () => {
  it('finishes every accepted order on PostgreSQL: paid or cancelled for a declined card, none twice, stock consistent, SQLite unused', async () => {
    expect(TEST_ENGINE, 'the shop starts on SQLite: run this file in the sqlite project').toBe('sqlite');
    const sqliteShop = await ChildShop.start();
    shops.push(sqliteShop);
    const dataDir = sqliteShop.dataDir;
    let journeys = new Journeys(sqliteShop.url);
    const products = [await journeys.product({ onHand: 100 }), await journeys.product({ onHand: 100 })];
    const customers = await Promise.all(Array.from({ length: 16 }, () => journeys.customer()));
    const bought = customers.map((_, i) => ({ productId: products[i % 2].id, quantity: 1 + (i % 3), token: i % 4 === 3 ? DECLINED : 'tok_visa' }));
    await Promise.all(customers.map((c, i) => journeys.addToCart(c, bought[i].productId, bought[i].quantity)));
    const keys = customers.map(() => randomUUID());
    const found = async () => ((await journeys.api.get('/api/search?q=walnut%20lamp')).body.items as Array<{ productId: string }>).map((i) => i.productId).sort();
    const bothProducts = products.map((p) => p.id).sort();
    await eventually(found, (ids) => bothProducts.every((id) => ids.includes(id)), { what: 'search to index both products' });

    // Every checkout at once; the plug is pulled as soon as a few have been accepted.
    let acceptedSoFar = 0;
    const answers = await Promise.all(
      customers.map((c, i) =>
        journeys.checkout(c, { key: keys[i], paymentToken: bought[i].token }).then(
          (res) => {
            if (res.status !== 202) return null;
            if (++acceptedSoFar === 4) void sqliteShop.kill('SIGKILL');
            return res.body.id as string;
          },
          () => null,
        ),
      ),
    );
    await sqliteShop.kill('SIGKILL');
    const accepted = answers.filter((id): id is string => id !== null);
    expect(accepted.length).toBeGreaterThanOrEqual(4);
    const left = workInFlight(dataDir);
    expect(left.unpublished + left.pending + left.unsettled, `work left in flight by the kill: ${JSON.stringify(left)}`).toBeGreaterThan(0);

    const url = await databaseFor(tempDataDir());
    const move = await dbMove(['--to', url, '--data-dir', dataDir]);
    expect(move.stderr).toBe('');
    expect(move.code).toBe(0);
    for (const module of moduleNames) expect(move.stdout).toMatch(new RegExp(`^  ${module} +\\d+ tables +\\d+ rows`, 'm'));

    // The SQLite files go out of reach: whatever the shop does next, it does on PostgreSQL.
    const away = join(tempDataDir(), 'sqlite-files');
    mkdirSync(away);
    for (const file of readdirSync(dataDir).filter((f) => /\.db(-wal|-shm)?$/.test(f))) renameSync(join(dataDir, file), join(away, file));
    const pgShop = await ChildShop.start({ dataDir, env: { DATABASE_URL: url } });
    shops.push(pgShop);
    journeys = new Journeys(pgShop.url);
    // Search's rows came without PostgreSQL's folded text (not a declared column): found all the same.
    expect(await found()).toEqual(bothProducts);

    // Customers whose answer was lost send the same checkout again: the key, moved too, makes that safe.
    const retries = await Promise.all(customers.map((c, i) => journeys.checkout(c, { key: keys[i], paymentToken: bought[i].token })));
    for (const r of retries) expect([202, 409]).toContain(r.status);
    // A new order after the move: the moved sequences hand out numbers no moved row has.
    const newcomer = await journeys.customer();
    await journeys.addToCart(newcomer, products[0].id, 1);
    const fresh = await journeys.checkout(newcomer);
    expect(fresh.status).toBe(202);
    expect((await journeys.settles(newcomer, fresh.body.id, 45_000)).status).toBe('paid');

    const orders: Array<Order & { customer: number }> = [];
    for (const [i, c] of customers.entries()) {
      const mine = await journeys.api.get('/api/orders', c.token);
      expect(mine.body.total, `customer ${i} has one order at most`).toBeLessThanOrEqual(1);
      for (const { id } of mine.body.items) orders.push({ ...(await journeys.settles(c, id, 45_000)), customer: i });
    }
    for (const id of accepted) expect(orders.map((o) => o.id)).toContain(id);

    const reserved = new Map<string, number>([[products[0].id, 1]]);
    for (const o of orders) {
      const { productId, quantity, token } = bought[o.customer];
      expect(o.status, `order ${o.id} paid with ${token}`).toBe(token === DECLINED ? 'cancelled' : 'paid');
      const captured = (await journeys.payments(o.id)).filter((p) => p.status === 'captured');
      expect(captured).toHaveLength(o.status === 'paid' ? 1 : 0);
      if (o.status === 'paid') reserved.set(productId, (reserved.get(productId) ?? 0) + quantity);
    }
    for (const p of products) expect(await journeys.stock(p.id)).toMatchObject({ onHand: 100, reserved: reserved.get(p.id) ?? 0 });
    expect(readdirSync(dataDir).filter((f) => f.includes('.db')), 'SQLite files the shop on PostgreSQL created').toEqual([]);
  }, 300_000);
});
