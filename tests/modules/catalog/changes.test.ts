import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogContract } from '../../../src/modules/catalog/contract.ts';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { published } from '../../support/published.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let admin: string;
let shelf: Assortment;
let categoryId: string;

const headphones = (price = 12999) => shelf.product({ name: 'Sonora Wireless Headphones', categoryId, price });
/** What the catalog announced about one product, oldest first. */
const announced = (productId: string, type?: string) => published(shop, 'catalog', { key: productId, type });
const activeTotal = async (): Promise<number> => (await api.get('/api/products?limit=1')).body.total;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  admin = await api.adminToken();
  shelf = await Assortment.open(api);
  categoryId = (await shelf.category('Headphones & Audio')).id;
});
afterAll(() => shop?.stop());

describe('catalog: changing a product', () => {
  it('answers 200 with the new state and announces the whole new state', async () => {
    const product = await headphones();
    const res = await api.patch(`/api/products/${product.id}`, { name: 'Sonora Studio Headphones', weightGrams: 300 }, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: product.id, name: 'Sonora Studio Headphones', weightGrams: 300, price: product.price });
    expect((await announced(product.id)).map((e) => e.type)).toEqual(['catalog.product_created', 'catalog.product_updated']);
    expect((await announced(product.id, 'catalog.product_updated'))[0].payload.product).toMatchObject({ name: 'Sonora Studio Headphones', weightGrams: 300 });
  });

  it('announces price_changed exactly once per real price change, with the old and new price', async () => {
    const product = await headphones(5000);
    await shelf.change(product.id, { price: 4500 });
    await shelf.change(product.id, { price: 4500 });
    await shelf.change(product.id, { description: 'Now on sale.' });
    expect((await announced(product.id, 'catalog.price_changed')).map((e) => e.payload)).toEqual([
      { productId: product.id, oldPrice: 5000, newPrice: 4500, currency: 'USD' },
    ]);
    expect(await announced(product.id, 'catalog.product_updated')).toHaveLength(2);
  });

  it('answers 404 for an unknown product and 422 for a move to an unknown category', async () => {
    expect((await api.patch(`/api/products/${randomUUID()}`, { price: 100 }, admin)).status).toBe(404);
    const product = await headphones();
    expect((await api.patch(`/api/products/${product.id}`, { categoryId: randomUUID() }, admin)).status).toBe(422);
  });
});

describe('catalog: reads right after a change (through the read cache)', () => {
  const cacheHits = async (): Promise<number> => {
    const metrics: string = (await api.get('/metrics')).text;
    const line = metrics.split('\n').find((l) => l.startsWith('read_cache_lookups_total{') && l.includes('module="catalog"') && l.includes('outcome="hit"'));
    return Number(line?.split(' ').pop() ?? 0);
  };

  it('answers repeated reads from the cache, and the very next read after a change shows it', async () => {
    const product = await headphones(7000);
    const page = async () => (await api.get(`/api/products/${product.id}`)).body.price;
    const listed = async () => (await api.get(`/api/products?category=${categoryId}&limit=100`)).body.items.find((p: { id: string }) => p.id === product.id)?.price;
    const hitsBefore = await cacheHits();
    expect([await page(), await listed(), await page(), await listed()]).toEqual([7000, 7000, 7000, 7000]);
    expect(await cacheHits()).toBeGreaterThanOrEqual(hitsBefore + 2);
    await shelf.change(product.id, { price: 6500 });
    expect([await page(), await listed()]).toEqual([6500, 6500]);
  });
});

describe('catalog: archiving a product', () => {
  it('answers 204; the product still answers by id with active: false but leaves the list', async () => {
    const product = await headphones();
    const before = await activeTotal();
    expect((await api.delete(`/api/products/${product.id}`, admin)).status).toBe(204);
    expect((await api.get(`/api/products/${product.id}`)).body).toMatchObject({ id: product.id, active: false });
    expect(await activeTotal()).toBe(before - 1);
    const list = await api.get(`/api/products?category=${categoryId}&limit=100`);
    expect(list.body.items.map((p: { id: string }) => p.id)).not.toContain(product.id);
  });

  it('is idempotent: archiving twice answers 204 again and announces the archive once', async () => {
    const product = await headphones();
    expect((await api.delete(`/api/products/${product.id}`, admin)).status).toBe(204);
    expect((await api.delete(`/api/products/${product.id}`, admin)).status).toBe(204);
    expect(await announced(product.id, 'catalog.product_archived')).toHaveLength(1);
  });

  it('answers 404 for an unknown product and 422 for a change to an archived one', async () => {
    expect((await api.delete(`/api/products/${randomUUID()}`, admin)).status).toBe(404);
    const product = await headphones();
    await shelf.archive(product.id);
    expect((await api.patch(`/api/products/${product.id}`, { price: 1 }, admin)).status).toBe(422);
  });
});

describe('catalog: interface for other modules', () => {
  it('gets many products in one call, in the order asked, archived included and unknown ids left out', async () => {
    const a = await headphones();
    const b = await headphones();
    await shelf.archive(b.id);
    const { items } = await shop.runtime.use(catalogContract).getProducts({ productIds: [b.id, randomUUID(), a.id, b.id] });
    expect(items.map((p) => [p.id, p.active])).toEqual([[b.id, false], [a.id, true]]);
  });

  it('exports every product, archived too, in id order a page at a time', async () => {
    const catalog = shop.runtime.use(catalogContract);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await catalog.exportProducts({ limit: 3, ...(after ? { after } : {}) });
      seen.push(...page.items.map((p) => p.id));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toHaveLength((await published(shop, 'catalog', { type: 'catalog.product_created' })).length);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await catalog.getProducts({ productIds: seen })).items.some((p) => !p.active)).toBe(true);
  });
});
