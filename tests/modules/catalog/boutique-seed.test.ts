import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopClient } from '../../support/client.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

/** Online Boutique's products.json: id, name, price in cents (their units + nanos), first category. */
const BOUTIQUE = [
  ['OLJCESPC7Z', 'Sunglasses', 1999, 'accessories'],
  ['66VCHSJNUP', 'Tank Top', 1899, 'clothing'],
  ['1YMWWN1N4O', 'Watch', 10999, 'accessories'],
  ['L9ECAV7KIM', 'Loafers', 8999, 'footwear'],
  ['2ZYFJ3GM2N', 'Hairdryer', 2499, 'hair'],
  ['0PUK6V6EV0', 'Candle Holder', 1899, 'decor'],
  ['LS4PSXUNUM', 'Salt & Pepper Shakers', 1849, 'kitchen'],
  ['9SIQT8TOJO', 'Bamboo Glass Jar', 549, 'kitchen'],
  ['6E92ZMYYFZ', 'Mug', 899, 'kitchen'],
] as const;

let shop: TestShop;
let api: ShopClient;

beforeAll(async () => {
  shop = await startTestShop({ env: { SEED_DEMO: 'boutique' } });
  api = new ShopClient(shop.url);
  // Search and warehouse learn of the products from the catalog's events.
  await shop.settled();
});
afterAll(() => shop?.stop());

describe('catalog: the Online Boutique catalog (SEED_DEMO=boutique)', () => {
  it('gives a fresh shop their nine products, with their ids, names, prices, images and first categories', async () => {
    const categories = (await api.get('/api/categories')).body as Array<{ id: string; slug: string }>;
    expect(categories.map((c) => c.slug).sort()).toEqual(['accessories', 'beauty', 'clothing', 'decor', 'footwear', 'hair', 'home', 'kitchen', 'tops']);
    const slugOf = new Map(categories.map((c) => [c.id, c.slug]));
    const listed = await api.get('/api/products?limit=100');
    expect(listed.body.total).toBe(9);
    for (const [id, name, price, category] of BOUTIQUE) {
      const res = await api.get(`/api/products/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name, price, currency: 'USD', active: true, imageUrl: expect.stringMatching(/^\/static\/img\/products\/[a-z-]+\.jpg$/) });
      expect(res.body.weightGrams).toBeGreaterThan(0);
      expect(slugOf.get(res.body.categoryId)).toBe(category);
    }
    expect((await api.get('/api/products/LS4PSXUNUM')).body.description).toBe('Add some flavor to your kitchen.');
    expect((await api.get('/api/products?category=kitchen')).body.total).toBe(3);
  });

  it('has search index them', async () => {
    const found = await api.get('/api/search?q=sunglasses');
    expect(found.body.items).toEqual([expect.objectContaining({ productId: 'OLJCESPC7Z', name: 'Sunglasses', price: 1999, inStock: true })]);
    const everything = await api.get('/api/search?inStock=true&limit=100');
    expect(everything.body.items.map((i: { productId: string }) => i.productId).sort()).toEqual(BOUTIQUE.map(([id]) => id).sort());
  });

  it('has the warehouse stock a million units of each, enough for any load test', async () => {
    const admin = await api.adminToken();
    for (const [id] of BOUTIQUE) {
      const res = await api.get(`/api/inventory/${id}`, admin);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ productId: id, onHand: 1_000_000, reserved: 0, available: 1_000_000 });
    }
  });
});
