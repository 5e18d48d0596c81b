import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let assortment: Assortment;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  assortment = await Assortment.open(api);
});
afterAll(() => shop?.stop());

interface Rec {
  productId: string;
  name: string;
  price: number;
  reason: string;
}

async function forProduct(id: string, query = ''): Promise<Rec[]> {
  const res = await api.get(`/api/products/${id}/recommendations${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('recommendation: without any orders', () => {
  it('suggests other products of the same category, with current names and prices', async () => {
    const tents = await assortment.category('Tents');
    const other = await assortment.category('Stoves');
    const dome = await assortment.product({ name: 'Dome Tent', categoryId: tents.id, price: 12900 });
    const tunnel = await assortment.product({ name: 'Tunnel Tent', categoryId: tents.id, price: 15900 });
    await assortment.product({ name: 'Camp Stove', categoryId: other.id, price: 4900 });
    await assortment.change(tunnel.id, { price: 14900 });
    await shop.settled();

    expect(await forProduct(dome.id)).toEqual([{ productId: tunnel.id, name: 'Tunnel Tent', price: 14900, reason: 'same_category' }]);
  });

  it('never suggests the product itself or an archived product', async () => {
    const bags = await assortment.category('Sleeping Bags');
    const down = await assortment.product({ name: 'Down Bag', categoryId: bags.id, price: 20000 });
    const synthetic = await assortment.product({ name: 'Synthetic Bag', categoryId: bags.id, price: 9000 });
    const liner = await assortment.product({ name: 'Silk Liner', categoryId: bags.id, price: 3000 });
    await assortment.archive(synthetic.id);
    await shop.settled();

    const ids = (await forProduct(down.id)).map((r) => r.productId);
    expect(ids).toEqual([liner.id]);
  });

  it('answers 404 for a product that does not exist, and 400 for a bad limit', async () => {
    expect((await api.get('/api/products/no-such-product/recommendations')).status).toBe(404);
    const bags = await assortment.category('Packs');
    const pack = await assortment.product({ name: 'Day Pack', categoryId: bags.id, price: 5000 });
    expect((await api.get(`/api/products/${pack.id}/recommendations?limit=0`)).status).toBe(400);
    expect((await api.get(`/api/products/${pack.id}/recommendations?limit=51`)).status).toBe(400);
    expect((await api.get(`/api/products/${pack.id}/recommendations?size=3`)).status).toBe(400);
  });

  it('honours the limit', async () => {
    const mugs = await assortment.category('Mugs');
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await assortment.product({ name: `Mug ${i}`, categoryId: mugs.id, price: 800 }));
    await shop.settled();
    expect(await forProduct(made[0].id, '?limit=2')).toHaveLength(2);
  });

  it('ranks the newest products first while nothing has been bought, as the catalog lists them (not by id)', async () => {
    const lamps = await assortment.category('Lamps');
    const made: string[] = [];
    for (let i = 1; i <= 6; i++) {
      made.push((await assortment.product({ name: `Lamp ${i}`, categoryId: lamps.id, price: 1000 + i })).id);
      // A millisecond apart, so each has its own creation time.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await shop.settled();
    const newestFirst = [...made].reverse();

    expect((await forProduct(made[0], '?limit=5')).map((r) => r.productId)).toEqual(newestFirst.slice(0, 5));
    const c = await api.registerCustomer();
    const forNewCustomer = (await api.get('/api/recommendations?limit=6', c.token)).body.items;
    expect(forNewCustomer.map((r: Rec) => [r.productId, r.reason])).toEqual(newestFirst.map((id) => [id, 'popular']));
    const catalogOrder = (await api.get('/api/products?limit=6')).body.items.map((p: { id: string }) => p.id);
    expect(forNewCustomer.map((r: Rec) => r.productId)).toEqual(catalogOrder);

    // A wish makes its whole category equally likely "for you": newest first again.
    expect((await api.post('/api/wishlist/items', { productId: made[2] }, c.token)).status).toBe(201);
    await shop.settled();
    const afterWish = (await api.get('/api/recommendations?limit=5', c.token)).body.items;
    expect(afterWish.map((r: Rec) => [r.productId, r.reason])).toEqual(newestFirst.filter((id) => id !== made[2]).map((id) => [id, 'for_you']));
  });

  it('gives a new customer popular products, and needs a token', async () => {
    const c = await api.registerCustomer();
    const res = await api.get('/api/recommendations', c.token);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((r: Rec) => r.reason === 'popular')).toBe(true);
    expect((await api.get('/api/recommendations')).status).toBe(401);
  });
});
