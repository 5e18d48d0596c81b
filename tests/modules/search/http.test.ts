import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchStore } from '../../../src/modules/search/internal/search-store.ts';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { dbOf, writeIn } from '../../support/db.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let shelf: Assortment;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  shelf = await Assortment.open(api);
});
afterAll(() => shop?.stop());

interface Hit { productId: string; name: string; price: number; categoryId: string; inStock: boolean; score?: number }
interface Facet { id: string; name?: string; slug?: string; count: number }
interface Result { items: Hit[]; total: number; facets: { category: Record<string, number>; categories: Facet[] } }

/** Searches once the events so far have reached the index. */
async function search(params: Record<string, string | number | boolean>): Promise<Result> {
  await shop.settled();
  const res = await api.get('/api/search').query(params);
  expect(res.status).toBe(200);
  return res.body;
}

const names = (r: Result) => r.items.map((h) => h.name);
/** A word no other test uses, so each test sees only its own products. */
const nonce = () => `w${Math.random().toString(36).slice(2, 9)}`;

describe('search: finding products', () => {
  it('finds a product by every word of the query, the last one also as a prefix', async () => {
    const w = nonce();
    const cat = await shelf.category('Audio');
    await shelf.product({ name: `Wireless Headphones ${w}`, categoryId: cat.id, price: 9900 });
    await shelf.product({ name: `Wired Earbuds ${w}`, categoryId: cat.id, price: 1900 });
    expect(names(await search({ q: `${w} head` }))).toEqual([`Wireless Headphones ${w}`]);
    expect(names(await search({ q: `${w} wireless headphones` }))).toEqual([`Wireless Headphones ${w}`]);
    expect((await search({ q: `${w} wireless earbuds` })).total).toBe(0);
    expect((await search({ q: `${w} wire` })).total).toBe(2);
  });

  it('ignores case and accents and ranks a match in the name above one in the description', async () => {
    const w = nonce();
    const cat = await shelf.category('Desserts');
    await shelf.product({ name: `Vanilla pot ${w}`, description: 'Tastes like crème brûlée', categoryId: cat.id, price: 500 });
    await shelf.product({ name: `CRÈME brûlée ${w}`, description: 'A classic', categoryId: cat.id, price: 700 });
    const found = await search({ q: `creme ${w}` });
    expect(names(found)).toEqual([`CRÈME brûlée ${w}`, `Vanilla pot ${w}`]);
    expect(found.items[0].score).toBeGreaterThan(found.items[1].score!);
  });

  it('follows a product through the catalog: created, renamed, repriced, archived', async () => {
    const w = nonce();
    const cat = await shelf.category('Lamps');
    const lamp = await shelf.product({ name: `Desk lamp ${w}`, categoryId: cat.id, price: 3000 });
    await shelf.product({ name: `Floor lamp ${w}`, categoryId: cat.id, price: 5000 });
    expect(names(await search({ q: `${w} desk` }))).toEqual([`Desk lamp ${w}`]);

    await shelf.change(lamp.id, { name: `Reading light ${w}` });
    expect((await search({ q: `${w} desk` })).total).toBe(0);
    expect(names(await search({ q: `${w} reading` }))).toEqual([`Reading light ${w}`]);

    await shelf.change(lamp.id, { price: 8000 });
    expect(names(await search({ q: w, sort: 'price_asc' }))).toEqual([`Floor lamp ${w}`, `Reading light ${w}`]);
    expect(names(await search({ q: w, minPrice: 6000 }))).toEqual([`Reading light ${w}`]);
    expect((await search({ q: w, minPrice: 6000 })).items[0].price).toBe(8000);

    await shelf.archive(lamp.id);
    expect(names(await search({ q: w }))).toEqual([`Floor lamp ${w}`]);
    expect((await search({ category: cat.id })).total).toBe(1);
  });

  it('browses every product, newest first, when the query is empty or blank', async () => {
    const cat = await shelf.category('Browse');
    const first = await shelf.product({ name: 'Older thing', categoryId: cat.id, price: 100 });
    const second = await shelf.product({ name: 'Newer thing', categoryId: cat.id, price: 100 });
    for (const q of ['', '   ', '!!! ---']) {
      const found = await search({ q, category: cat.id });
      expect(found.items.map((h) => h.productId)).toEqual([second.id, first.id]);
      expect(found.items[0]).not.toHaveProperty('score');
    }
  });
});

describe('search: filters, sorts, facets and pages', () => {
  it('filters by category, price range and stock, and sorts by price and by newest', async () => {
    const w = nonce();
    const mugs = await shelf.category('Mugs');
    const cups = await shelf.category('Cups');
    const small = await shelf.product({ name: `Small mug ${w}`, categoryId: mugs.id, price: 800 });
    await shelf.product({ name: `Large mug ${w}`, categoryId: mugs.id, price: 1500 });
    await shelf.product({ name: `Tea cup ${w}`, categoryId: cups.id, price: 1200 });
    // The warehouse opens a product's stock row when product_created reaches it.
    await shop.settled();
    await shelf.stock(small.id, 3);

    expect(names(await search({ q: w, category: mugs.id, sort: 'price_desc' }))).toEqual([`Large mug ${w}`, `Small mug ${w}`]);
    expect(names(await search({ q: w, minPrice: 1000, maxPrice: 1200 }))).toEqual([`Tea cup ${w}`]);
    expect(names(await search({ q: w, sort: 'price_asc' }))).toEqual([`Small mug ${w}`, `Tea cup ${w}`, `Large mug ${w}`]);
    expect(names(await search({ q: w, sort: 'newest' }))).toEqual([`Tea cup ${w}`, `Large mug ${w}`, `Small mug ${w}`]);

    const inStock = await search({ q: w, inStock: true });
    expect(inStock.items.map((h) => [h.name, h.inStock])).toEqual([[`Small mug ${w}`, true]]);
    expect((await search({ q: w, inStock: false })).total).toBe(2);

    await shelf.stock(small.id, 0);
    expect((await search({ q: w, inStock: true })).total).toBe(0);
  });

  it('counts matches per category with every filter but the category, adding up to the total', async () => {
    const w = nonce();
    const a = await shelf.category('Shirts');
    const b = await shelf.category('Socks');
    await shelf.product({ name: `Red shirt ${w}`, categoryId: a.id, price: 2000 });
    await shelf.product({ name: `Blue shirt ${w}`, categoryId: a.id, price: 2500 });
    await shelf.product({ name: `Red socks ${w}`, categoryId: b.id, price: 500 });
    await shelf.product({ name: `Gold socks ${w}`, categoryId: b.id, price: 9000 });

    const all = await search({ q: w, maxPrice: 5000 });
    expect(all.facets.category).toEqual({ [a.id]: 2, [b.id]: 1 });
    expect(all.total).toBe(3);
    expect(Object.values(all.facets.category).reduce((x, y) => x + y, 0)).toBe(all.total);

    const socks = await search({ q: w, maxPrice: 5000, category: b.id });
    expect(socks.total).toBe(1);
    expect(names(socks)).toEqual([`Red socks ${w}`]);
    expect(socks.facets.category).toEqual(all.facets.category);

    const red = await search({ q: `red ${w}` });
    expect(red.facets.category).toEqual({ [a.id]: 1, [b.id]: 1 });
  });

  it('takes a category by its slug as by its id, as the product list does', async () => {
    const w = nonce();
    const audio = await shelf.category('Headphones & Audio');
    const other = await shelf.category('Laptops');
    await shelf.product({ name: `Studio headphones ${w}`, categoryId: audio.id, price: 9900 });
    await shelf.product({ name: `Compact earbuds ${w}`, categoryId: audio.id, price: 2900 });
    await shelf.product({ name: `Headphone-free laptop ${w}`, categoryId: other.id, price: 99900 });

    const bySlug = await search({ q: w, category: audio.slug });
    expect(bySlug.total).toBe(2);
    expect(bySlug).toEqual(await search({ q: w, category: audio.id }));
    expect(names(await search({ category: audio.slug, sort: 'price_asc' }))).toEqual([`Compact earbuds ${w}`, `Studio headphones ${w}`]);
    expect((await api.get('/api/products').query({ category: audio.slug })).body.total).toBe(2);
  });

  it('answers a category nobody has as the product list does: 200, nothing found, the other matches still counted', async () => {
    const w = nonce();
    const cat = await shelf.category('Kettles');
    await shelf.product({ name: `Steel kettle ${w}`, categoryId: cat.id, price: 3000 });

    await shop.settled();
    const unknown = await api.get('/api/search').query({ q: w, category: 'no-such-category' });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ items: [], total: 0, facets: { category: { [cat.id]: 1 } } });
    const products = await api.get('/api/products').query({ category: 'no-such-category' });
    expect([products.status, products.body.total]).toEqual([200, 0]);
  });

  it('names each category of the facets beside its count, most matches first', async () => {
    const w = nonce();
    const shirts = await shelf.category('Shirts');
    const socks = await shelf.category('Socks');
    await shelf.product({ name: `Red socks ${w}`, categoryId: socks.id, price: 500 });
    await shelf.product({ name: `Red shirt ${w}`, categoryId: shirts.id, price: 2000 });
    await shelf.product({ name: `Blue shirt ${w}`, categoryId: shirts.id, price: 2500 });

    const found = await search({ q: w, category: socks.slug });
    expect(found.facets.category).toEqual({ [shirts.id]: 2, [socks.id]: 1 });
    expect(found.facets.categories).toEqual([
      { id: shirts.id, name: 'Shirts', slug: shirts.slug, count: 2 },
      { id: socks.id, name: 'Socks', slug: socks.slug, count: 1 },
    ]);
  });

  it('pages through results with limit and offset, keeping the total', async () => {
    const cat = await shelf.category('Pages');
    for (let i = 1; i <= 5; i++) await shelf.product({ name: `Page item ${i}`, categoryId: cat.id, price: i * 100 });
    const first = await search({ category: cat.id, sort: 'price_asc', limit: 2 });
    const second = await search({ category: cat.id, sort: 'price_asc', limit: 2, offset: 2 });
    const beyond = await search({ category: cat.id, sort: 'price_asc', limit: 2, offset: 10 });
    expect(names(first)).toEqual(['Page item 1', 'Page item 2']);
    expect(names(second)).toEqual(['Page item 3', 'Page item 4']);
    expect(beyond.items).toEqual([]);
    expect([first.total, second.total, beyond.total]).toEqual([5, 5, 5]);
  });
});

describe('search: operator tools', () => {
  it('rebuilds a damaged index from the catalog and the warehouse (admin only)', async () => {
    const w = nonce();
    const cat = await shelf.category('Rebuild');
    const kept = await shelf.product({ name: `Sturdy kettle ${w}`, categoryId: cat.id, price: 4000 });
    await shop.settled();
    await shelf.stock(kept.id, 2);
    await shop.settled();
    await writeIn(shop, 'search', sql`DELETE FROM search_products WHERE product_id = ${kept.id}`);
    await writeIn(shop, 'search', sql`DELETE FROM search_stock WHERE product_id = ${kept.id}`);
    // A product the catalog never had, written as the projections write, so each engine indexes its words.
    const ghost = {
      id: 'ghost', sku: 'GHOST', name: `Ghost kettle ${w}`, description: '', categoryId: cat.id, price: 1, currency: 'USD' as const,
      weightGrams: 1, active: true, createdAt: '2000-01-01', updatedAt: '2000-01-01',
    };
    await dbOf(shop, 'search').transaction((tx) => shop.runtime.containerOf('search').get(SearchStore).saveProduct(tx, ghost));
    expect(names(await search({ q: w }))).toEqual([`Ghost kettle ${w}`]);

    const customer = await api.registerCustomer();
    expect((await api.post('/api/admin/search/rebuild', undefined)).status).toBe(401);
    expect((await api.post('/api/admin/search/rebuild', undefined, customer.token)).status).toBe(403);
    const rebuilt = await api.post('/api/admin/search/rebuild', undefined, await api.adminToken());
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.indexed).toBeGreaterThanOrEqual(1);

    const found = await search({ q: w });
    expect(found.items.map((h) => [h.name, h.inStock])).toEqual([[`Sturdy kettle ${w}`, true]]);
  });
});
