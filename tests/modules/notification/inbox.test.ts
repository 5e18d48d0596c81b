import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let admin: string;
let assortment: Assortment;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  admin = await api.adminToken();
  assortment = await Assortment.open(api);
});
afterAll(() => shop?.stop());

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  createdAt: string;
  readAt?: string;
}

async function inbox(token: string, query = ''): Promise<{ items: Notice[]; total: number }> {
  const res = await api.get(`/api/notifications${query}`, token);
  expect(res.status).toBe(200);
  return res.body;
}

/** Takes a product's available stock from above its threshold (5) to below it. */
async function dipBelowThreshold(productId: string): Promise<void> {
  // The warehouse opens the product's stock row once it hears the catalog's event.
  await shop.settled();
  await assortment.stock(productId, 10);
  await assortment.stock(productId, 2);
  await shop.settled();
}

describe('notification: the inbox', () => {
  it('answers a new customer with an empty inbox, and 401 without a token', async () => {
    const c = await api.registerCustomer();
    expect(await inbox(c.token)).toEqual({ items: [], total: 0 });
    expect((await api.get('/api/notifications')).status).toBe(401);
  });

  it('refuses a bad limit, a fraction and an unknown parameter with 400', async () => {
    const c = await api.registerCustomer();
    for (const q of ['?limit=0', '?limit=101', '?limit=2.5', '?offset=-1', '?page=2']) {
      expect((await api.get(`/api/notifications${q}`, c.token)).status, q).toBe(400);
    }
  });

  it('answers 404 for marking read a notice that does not exist', async () => {
    const c = await api.registerCustomer();
    expect((await api.post('/api/notifications/no-such-notice/read', undefined, c.token)).status).toBe(404);
  });
});

describe('notification: low-stock alerts', () => {
  it('alerts every admin once when a product falls below its low-stock threshold', async () => {
    const category = await assortment.category('Lamps');
    const lamp = await assortment.product({ name: 'Brass Desk Lamp', categoryId: category.id, price: 4900 });
    await dipBelowThreshold(lamp.id);

    const alerts = (await inbox(admin, '?limit=100')).items.filter((n) => n.body.includes('Brass Desk Lamp'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'low_stock', title: 'Low stock: Brass Desk Lamp' });
    expect(alerts[0].body).toContain('2 available');
    expect(alerts[0]).not.toHaveProperty('readAt');
  });

  it('tells a customer nothing about stock levels', async () => {
    const c = await api.registerCustomer();
    const category = await assortment.category('Rugs');
    const rug = await assortment.product({ name: 'Wool Rug', categoryId: category.id, price: 19900 });
    await dipBelowThreshold(rug.id);
    expect((await inbox(c.token)).total).toBe(0);
  });

  it('marks a notice read (204, idempotent) and keeps it hidden from everyone else (404)', async () => {
    const category = await assortment.category('Vases');
    const vase = await assortment.product({ name: 'Glass Vase', categoryId: category.id, price: 2500 });
    await dipBelowThreshold(vase.id);
    const notice = (await inbox(admin, '?limit=100')).items.find((n) => n.body.includes('Glass Vase'))!;

    const stranger = await api.registerCustomer();
    expect((await api.post(`/api/notifications/${notice.id}/read`, undefined, stranger.token)).status).toBe(404);
    expect((await api.post(`/api/notifications/${notice.id}/read`, undefined, admin)).status).toBe(204);
    const read = (await inbox(admin, '?limit=100')).items.find((n) => n.id === notice.id)!;
    expect(read.readAt).toEqual(expect.any(String));
    expect((await api.post(`/api/notifications/${notice.id}/read`, undefined, admin)).status).toBe(204);
    expect((await inbox(admin, '?limit=100')).items.find((n) => n.id === notice.id)!.readAt).toBe(read.readAt);
  });

  it('pages the inbox newest first with limit and offset', async () => {
    const category = await assortment.category('Chairs');
    const names = ['Oak Chair', 'Pine Chair', 'Elm Chair'];
    for (const name of names) {
      const chair = await assortment.product({ name, categoryId: category.id, price: 9900 });
      await dipBelowThreshold(chair.id);
    }
    const all = await inbox(admin, '?limit=100');
    const page = await inbox(admin, '?limit=2&offset=1');
    expect(page.total).toBe(all.total);
    expect(page.items.map((n) => n.id)).toEqual(all.items.slice(1, 3).map((n) => n.id));
    expect(all.items.slice(0, 3).map((n) => n.title)).toEqual(names.reverse().map((n) => `Low stock: ${n}`));
  });
});
