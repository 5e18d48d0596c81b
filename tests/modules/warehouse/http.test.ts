import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseContract } from '../../../src/modules/warehouse/contract.ts';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let shelf: Assortment;
let admin: string;
let customer: string;
let categoryId: string;

/** A new catalog product, once the warehouse has opened its stock row. */
async function newProduct(): Promise<string> {
  const product = await shelf.product({ name: 'Trail Lantern', categoryId, price: 2599 });
  await shop.settled();
  return product.id;
}

const inventory = (productId: string) => api.get(`/api/inventory/${productId}`, admin);

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  shelf = await Assortment.open(api);
  admin = await api.adminToken();
  customer = (await api.registerCustomer()).token;
  categoryId = (await shelf.category('Camping')).id;
});
afterAll(() => shop?.stop());

describe('warehouse: stock of one product', () => {
  it('opens an empty stock row with threshold 5 when the catalog adds a product', async () => {
    const id = await newProduct();
    const res = await inventory(id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ productId: id, onHand: 0, reserved: 0, available: 0, lowStockThreshold: 5 });
  });

  it('answers 404 for a product the warehouse never heard of', async () => {
    expect((await api.get('/api/inventory/no-such-product', admin)).status).toBe(404);
    expect((await api.put('/api/inventory/no-such-product', { onHand: 3 }, admin)).status).toBe(404);
    expect((await api.post('/api/inventory/no-such-product/restock', { quantity: 3 }, admin)).status).toBe(404);
  });

  it('sets on-hand and the threshold with PUT', async () => {
    const id = await newProduct();
    const res = await api.put(`/api/inventory/${id}`, { onHand: 40, lowStockThreshold: 8 }, admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ productId: id, onHand: 40, reserved: 0, available: 40, lowStockThreshold: 8 });
    const keepsThreshold = await api.put(`/api/inventory/${id}`, { onHand: 12 }, admin);
    expect(keepsThreshold.body).toMatchObject({ onHand: 12, lowStockThreshold: 8 });
  });

  it('refuses with 422 to set on-hand below what is reserved for orders', async () => {
    const id = await newProduct();
    await shelf.stock(id, 10);
    await shop.runtime.use(warehouseContract).reserve({ orderId: `order-${id}`, lines: [{ productId: id, quantity: 6 }] });
    const res = await api.put(`/api/inventory/${id}`, { onHand: 5 }, admin);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await api.put(`/api/inventory/${id}`, { onHand: 6 }, admin)).body).toMatchObject({ onHand: 6, reserved: 6, available: 0 });
  });

  it('adds received units with restock', async () => {
    const id = await newProduct();
    await shelf.stock(id, 4);
    const res = await api.post(`/api/inventory/${id}/restock`, { quantity: 16 }, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ onHand: 20, available: 20 });
  });

  it('answers 400 for a number sent as text, a fraction, a negative, an unknown field or a zero restock', async () => {
    const id = await newProduct();
    for (const body of [{ onHand: '5' }, { onHand: 2.5 }, { onHand: -1 }, { onHand: 5, colour: 'red' }, {}]) {
      expect((await api.put(`/api/inventory/${id}`, body, admin)).status, JSON.stringify(body)).toBe(400);
    }
    for (const body of [{ quantity: 0 }, { quantity: '3' }, { quantity: 1, note: 'x' }]) {
      expect((await api.post(`/api/inventory/${id}/restock`, body, admin)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await inventory(id)).body.onHand).toBe(0);
  });
});

describe('warehouse: the inventory list', () => {
  it('lists stock rows with a total, a page at a time', async () => {
    await newProduct();
    await newProduct();
    const all = await api.get('/api/inventory?limit=100', admin);
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    const page = await api.get('/api/inventory?limit=1&offset=1', admin);
    expect(page.body.items).toEqual([all.body.items[1]]);
    expect(page.body.total).toBe(all.body.total);
  });

  it('keeps only products below their threshold with lowStock=true', async () => {
    const low = await newProduct();
    const healthy = await newProduct();
    await shelf.stock(low, 2);
    await shelf.stock(healthy, 50);
    const res = await api.get('/api/inventory?lowStock=true&limit=100', admin);
    expect(res.status).toBe(200);
    const ids = res.body.items.map((s: { productId: string }) => s.productId);
    expect(ids).toContain(low);
    expect(ids).not.toContain(healthy);
    expect(res.body.items.every((s: { available: number; lowStockThreshold: number }) => s.available < s.lowStockThreshold)).toBe(true);
    expect(res.body.total).toBe(ids.length);
  });

  it('answers 400 for lowStock other than true/false, a limit above 100 or an unknown parameter', async () => {
    for (const q of ['lowStock=yes', 'limit=101', 'limit=1.5', 'colour=red']) {
      expect((await api.get(`/api/inventory?${q}`, admin)).status, q).toBe(400);
    }
  });
});

describe('warehouse: admins only', () => {
  it('answers 403 to customers and 401 without a token on every inventory route', async () => {
    const id = await newProduct();
    const calls = [
      (t?: string) => api.get('/api/inventory', t),
      (t?: string) => api.get(`/api/inventory/${id}`, t),
      (t?: string) => api.put(`/api/inventory/${id}`, { onHand: 99 }, t),
      (t?: string) => api.post(`/api/inventory/${id}/restock`, { quantity: 99 }, t),
    ];
    for (const call of calls) {
      expect((await call(customer)).status).toBe(403);
      expect((await call()).status).toBe(401);
    }
    expect((await inventory(id)).body.onHand).toBe(0);
  });
});
