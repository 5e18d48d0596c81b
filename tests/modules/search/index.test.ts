import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../../src/kernel/contract.ts';
import type { ModuleDb, Tx } from '../../../src/kernel/persistence/sql.ts';
import type { CatalogContract, Product } from '../../../src/modules/catalog/contract.ts';
import { ReadCache } from '../../../src/kernel/persistence/read-cache.ts';
import { createLogger } from '../../../src/kernel/logger.ts';
import { CATALOG_ASK_INTERVAL_MS, SearchService, type SearchAnswer } from '../../../src/modules/search/internal/search-service.ts';
import { SearchStore } from '../../../src/modules/search/internal/search-store.ts';
import type { WarehouseContract } from '../../../src/modules/warehouse/contract.ts';
import { tempDataDir } from '../../../tools/temp-dirs.ts';
import { openTestModuleDb } from '../../support/engine.ts';

// Events may arrive late, twice or out of order (at-least-once, across processes): the index
// must end up with the newest state whatever the order. These cases cannot be staged over HTTP.

const MIGRATIONS = fileURLToPath(new URL('../../../src/modules/search/migrations', import.meta.url));

let db: ModuleDb;
let store: SearchStore;
// One cache for the whole test, as in the module: every write below must reach the next find.
let answers: ReadCache<SearchAnswer>;

beforeEach(async () => {
  // Opened as the kernel opens a module's database, on this run's engine (SQLite or PostgreSQL).
  db = await openTestModuleDb(tempDataDir('cleave-search-'), 'search', MIGRATIONS);
  store = new SearchStore(db);
  answers = new ReadCache(db, { scope: 'search_answers', tables: ['search_products', 'search_categories'], maxEntries: 100 });
});
afterEach(() => db.close());

/** Each write in a transaction of its own, as each event's projection writes. */
const write = (work: (tx: Tx) => Promise<void>) => db.transaction(work);

const at = (minute: number) => new Date(Date.UTC(2020, 0, 1, 0, minute)).toISOString();

function product(id: string, fields: Partial<Product> = {}): Product {
  return {
    id, sku: `SKU-${id}`, name: `Product ${id}`, description: '', categoryId: 'cat', price: 1000, currency: 'USD',
    weightGrams: 100, active: true, createdAt: at(0), updatedAt: at(0), ...fields,
  };
}

const service = (catalog: Partial<Api<CatalogContract>> = {}, warehouse: Partial<Api<WarehouseContract>> = {}) =>
  new SearchService(store, answers, catalog as Api<CatalogContract>, warehouse as Api<WarehouseContract>, createLogger('silent'));
const find = (q: string, extra: { inStock?: boolean } = {}) => service().search({ q, sort: 'relevance', limit: 20, offset: 0, ...extra });

describe('search index: events out of order', () => {
  it('keeps the newer state when an older one arrives late', async () => {
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Blue kettle', price: 3000, updatedAt: at(5) })));
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Red kettle', price: 2000, updatedAt: at(1) })));
    expect((await find('kettle')).items).toEqual([expect.objectContaining({ productId: 'p1', name: 'Blue kettle', price: 3000 })]);
    expect((await find('red')).total).toBe(0);
  });

  it('ignores a late price change older than the state held, and applies a newer one', async () => {
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Kettle', price: 3000, updatedAt: at(5) })));
    await write((tx) => store.reprice(tx, 'p1', 1000, at(2)));
    expect((await find('kettle')).items[0].price).toBe(3000);
    await write((tx) => store.reprice(tx, 'p1', 2500, at(6)));
    expect((await find('kettle')).items[0].price).toBe(2500);
  });

  it('never finds a product archived before its creation reached search', async () => {
    await write((tx) => store.archive(tx, 'p1'));
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Ghost kettle' })));
    expect((await find('kettle')).total).toBe(0);
  });

  it('counts a product in stock when its stock level arrived before the product', async () => {
    await write((tx) => store.saveStock(tx, 'p1', 2, at(1)));
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Kettle' })));
    expect((await find('kettle', { inStock: true })).items).toEqual([expect.objectContaining({ productId: 'p1', inStock: true })]);
  });

  it('keeps the newer stock level when an older one arrives late', async () => {
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Kettle' })));
    await write((tx) => store.saveStock(tx, 'p1', 4, at(5)));
    await write((tx) => store.saveStock(tx, 'p1', 0, at(3)));
    expect((await find('kettle', { inStock: true })).total).toBe(1);
    await write((tx) => store.saveStock(tx, 'p1', 0, at(6)));
    expect((await find('kettle', { inStock: true })).total).toBe(0);
  });
});

describe('search index: rebuild', () => {
  it('replays the whole export page by page with stock, drops what the catalog no longer has, and keeps newer events', async () => {
    await write((tx) => store.saveProduct(tx, product('gone', { name: 'Vanished kettle' })));
    await write((tx) => store.saveProduct(tx, product('p0500', { name: 'Kettle 500', price: 999, updatedAt: at(59) })));
    const catalog = Array.from({ length: 1201 }, (_, i) => product(`p${String(i).padStart(4, '0')}`, { name: `Kettle ${i}`, active: i !== 7 }));
    const stockAsks: number[] = [];
    const rebuilt = await service(
      {
        listCategories: async () => ({ items: [{ id: 'cat', name: 'Kettles', slug: 'kettles' }] }),
        exportProducts: async ({ after, limit }) => {
          const from = after === undefined ? 0 : catalog.findIndex((p) => p.id === after) + 1;
          const items = catalog.slice(from, from + limit);
          return { items, ...(from + limit < catalog.length ? { next: items.at(-1)!.id } : {}) };
        },
      },
      {
        getStockLevels: async ({ productIds }) => {
          stockAsks.push(productIds.length);
          return { items: productIds.filter((id) => id.endsWith('1')).map((productId) => ({ productId, onHand: 3, reserved: 0, available: 3, lowStockThreshold: 5 })) };
        },
      },
    ).rebuild();

    expect(rebuilt).toEqual({ indexed: 1200 });
    expect(stockAsks.every((n) => n <= 1000)).toBe(true);
    expect((await find('vanished')).total).toBe(0);
    expect((await find('kettle')).total).toBe(1200);
    expect((await find('kettle', { inStock: true })).total).toBe(120);
    expect((await find('kettle 500')).items.find((h) => h.productId === 'p0500')?.price).toBe(999);
    expect((await find('kettle')).facets.categories).toEqual([{ id: 'cat', name: 'Kettles', slug: 'kettles', count: 1200 }]);
  });
});

describe('search index: categories', () => {
  const query = (category?: string) => ({ category, sort: 'relevance' as const, limit: 20, offset: 0 });

  it('takes a category by id or by slug, and names the facets, from category events', async () => {
    await write((tx) => store.saveCategory(tx, { id: 'c-audio', name: 'Headphones & Audio', slug: 'headphones-audio' }));
    await write((tx) => store.saveCategory(tx, { id: 'c-laptops', name: 'Laptops', slug: 'laptops' }));
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Earbuds', categoryId: 'c-audio' })));
    await write((tx) => store.saveProduct(tx, product('p2', { name: 'Headphones', categoryId: 'c-audio' })));
    await write((tx) => store.saveProduct(tx, product('p3', { name: 'Chromebook', categoryId: 'c-laptops' })));
    const bySlug = await service().search(query('headphones-audio'));
    expect(bySlug.total).toBe(2);
    expect(bySlug).toEqual(await service().search(query('c-audio')));
    expect(bySlug.facets).toEqual({
      category: { 'c-audio': 2, 'c-laptops': 1 },
      categories: [{ id: 'c-audio', name: 'Headphones & Audio', slug: 'headphones-audio', count: 2 }, { id: 'c-laptops', name: 'Laptops', slug: 'laptops', count: 1 }],
    });
  });

  it('learns from the catalog the categories no event brought (a shop older than the projection), asking at most once a while', async () => {
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Earbuds', categoryId: 'c-audio' })));
    let asked = 0;
    const search = service({
      listCategories: async () => {
        asked++;
        return { items: [{ id: 'c-audio', name: 'Headphones & Audio', slug: 'headphones-audio' }] };
      },
    });
    const found = await search.search(query('headphones-audio'));
    expect(found.items.map((h) => h.productId)).toEqual(['p1']);
    expect(found.facets.categories).toEqual([{ id: 'c-audio', name: 'Headphones & Audio', slug: 'headphones-audio', count: 1 }]);
    expect(asked).toBe(1);

    const unknown = await search.search(query('no-such-category'));
    expect(unknown).toMatchObject({ items: [], total: 0, facets: { category: { 'c-audio': 1 } } });
    expect(asked).toBe(1);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + CATALOG_ASK_INTERVAL_MS });
    try {
      expect((await search.search(query('still-no-such-category'))).total).toBe(0);
      expect((await search.search(query('misspelt-again'))).total).toBe(0);
      expect(asked).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('still answers, by id and without names, when the catalog cannot be asked', async () => {
    await write((tx) => store.saveProduct(tx, product('p1', { name: 'Earbuds', categoryId: 'c-audio' })));
    const search = service({ listCategories: async () => Promise.reject(new Error('catalog unreachable')) });
    const found = await search.search(query('c-audio'));
    expect(found.total).toBe(1);
    expect(found.facets.categories).toEqual([{ id: 'c-audio', count: 1 }]);
    expect((await search.search(query('headphones-audio'))).total).toBe(0);
  });
});
