import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ShopClient } from '../../support/client.ts';
import { countIn } from '../../support/db.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

const SEEDED = { env: { SEED_DEMO: 'true' } };
let first: TestShop;
let second: TestShop;

beforeAll(async () => {
  [first, second] = await Promise.all([startTestShop(SEEDED), startTestShop(SEEDED)]);
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

interface Listed {
  name: string;
  sku: string;
  price: number;
  categoryId: string;
  weightGrams: number;
}

/** Every active product, as the shop lists them (newest first), a page of 100 at a time. */
async function everyProduct(shop: TestShop): Promise<{ total: number; items: Listed[] }> {
  const api = new ShopClient(shop.url);
  const items: Listed[] = [];
  let total = 0;
  do {
    const res = await api.get(`/api/products?limit=100&offset=${items.length}`);
    expect(res.status).toBe(200);
    total = res.body.total;
    items.push(...res.body.items);
  } while (items.length < total);
  return { total, items };
}

const productsAnnounced = (shop: TestShop) => countIn(shop, 'catalog', sql`SELECT count(*) AS n FROM kernel_outbox WHERE type = 'catalog.product_created'`);

describe('catalog: the demo catalog (SEED_DEMO=true)', () => {
  it('gives a fresh shop 500 DEMO- products spread over 12 named categories', async () => {
    const categories = (await new ShopClient(first.url).get('/api/categories')).body as Array<{ id: string; name: string }>;
    expect(categories).toHaveLength(12);
    expect(categories.map((c) => c.name)).toEqual(expect.arrayContaining(['Headphones & Audio', 'Laptops', 'Kitchen', 'Books']));
    const { total, items } = await everyProduct(first);
    expect(total).toBe(500);
    expect(items.every((p) => p.sku.startsWith('DEMO-') && Number.isInteger(p.price) && p.price > 0 && p.weightGrams > 0)).toBe(true);
    expect(new Set(items.map((p) => p.categoryId))).toEqual(new Set(categories.map((c) => c.id)));
    expect(await productsAnnounced(first)).toBe(500);
  });

  it('is deterministic: two fresh shops list the very same products', async () => {
    const [a, b] = await Promise.all([everyProduct(first), everyProduct(second)]);
    const shape = (p: Listed) => `${p.sku} ${p.name} ${p.price} ${p.weightGrams}`;
    expect(a.items.map(shape)).toEqual(b.items.map(shape));
    expect(new Set(a.items.map((p) => p.name)).size).toBe(500);
  });

  // Restarted while the other modules still handle the 500 products' events (on PostgreSQL that
  // takes seconds): what they have not handled waits in their inboxes for the restart.
  it('does not seed twice when the shop restarts', async () => {
    first = await first.restart();
    expect((await everyProduct(first)).total).toBe(500);
    expect((await new ShopClient(first.url).get('/api/categories')).body).toHaveLength(12);
    expect(await productsAnnounced(first)).toBe(500);
  }, 90_000);
});
