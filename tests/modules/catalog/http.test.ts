import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopClient } from '../../support/client.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let admin: string;
let customer: string;
let category: { id: string; name: string; slug: string };

const unique = () => randomUUID().slice(0, 8);
const draft = (overrides: Record<string, unknown> = {}) => ({
  sku: `SKU-${unique()}`,
  name: 'Sonora Wireless Headphones',
  description: 'Closed-back headphones with 40 hours of battery.',
  categoryId: category.id,
  price: 12999,
  weightGrams: 280,
  ...overrides,
});

async function createProduct(overrides: Record<string, unknown> = {}) {
  const res = await api.post('/api/products', draft(overrides), admin);
  expect(res.status).toBe(201);
  return res.body as { id: string; sku: string; price: number; name: string };
}

async function activeTotal(): Promise<number> {
  return (await api.get('/api/products?limit=1')).body.total;
}

const fieldsNamed = (res: { body: { errors?: Array<{ path: string }> } }) => (res.body.errors ?? []).map((e) => e.path);

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  admin = await api.adminToken();
  customer = (await api.registerCustomer()).token;
  const res = await api.post('/api/categories', { name: 'Headphones & Audio', slug: `audio-${unique()}` }, admin);
  category = res.body;
});
afterAll(() => shop?.stop());

describe('catalog: categories', () => {
  it('lets an admin add a category (201) and lists every category as a plain array', async () => {
    const slug = `kitchen-${unique()}`;
    const created = await api.post('/api/categories', { name: 'Kitchen', slug }, admin);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'Kitchen', slug });
    const list = await api.get('/api/categories');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body).toContainEqual({ id: created.body.id, name: 'Kitchen', slug });
  });

  it('answers 409 for a slug that is taken', async () => {
    const res = await api.post('/api/categories', { name: 'Audio again', slug: category.slug }, admin);
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('refuses customers (403) and anonymous callers (401), and a malformed slug (400)', async () => {
    expect((await api.post('/api/categories', { name: 'Toys', slug: `toys-${unique()}` }, customer)).status).toBe(403);
    expect((await api.post('/api/categories', { name: 'Toys', slug: `toys-${unique()}` })).status).toBe(401);
    const bad = await api.post('/api/categories', { name: 'Toys', slug: 'Toys And Games' }, admin);
    expect(bad.status).toBe(400);
    expect(fieldsNamed(bad)).toContain('body.slug');
  });
});

describe('catalog: products', () => {
  it('creates a product (201) that answers by id with every field of api.md', async () => {
    const created = await createProduct({ imageUrl: 'https://images.example.test/headphones.jpg' });
    const res = await api.get(`/api/products/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id, sku: created.sku, name: 'Sonora Wireless Headphones', categoryId: category.id, price: 12999,
      currency: 'USD', weightGrams: 280, imageUrl: 'https://images.example.test/headphones.jpg', active: true,
    });
    expect(typeof res.body.description).toBe('string');
  });

  it('answers 404 for a product that never existed', async () => {
    expect((await api.get(`/api/products/${randomUUID()}`)).status).toBe(404);
  });

  it('answers 409 for a SKU that is taken and 422 for an unknown category, creating nothing', async () => {
    const existing = await createProduct();
    const before = await activeTotal();
    expect((await api.post('/api/products', draft({ sku: existing.sku }), admin)).status).toBe(409);
    expect((await api.post('/api/products', draft({ categoryId: randomUUID() }), admin)).status).toBe(422);
    expect(await activeTotal()).toBe(before);
  });

  it('lists active products newest first with their total, by category id or slug, a page at a time', async () => {
    const own = (await api.post('/api/categories', { name: 'Lists', slug: `lists-${unique()}` }, admin)).body;
    const first = await createProduct({ categoryId: own.id, name: 'First' });
    const second = await createProduct({ categoryId: own.id, name: 'Second' });
    const third = await createProduct({ categoryId: own.id, name: 'Third' });
    const byId = await api.get(`/api/products?category=${own.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.total).toBe(3);
    expect(byId.body.items.map((p: { id: string }) => p.id)).toEqual([third.id, second.id, first.id]);
    const bySlug = await api.get(`/api/products?category=${own.slug}&limit=1&offset=1`);
    expect(bySlug.body).toMatchObject({ total: 3, items: [{ id: second.id }] });
  });

  it('rejects bad list parameters with 400', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'offset=-1', 'colour=red']) {
      expect((await api.get(`/api/products?${query}`)).status, query).toBe(400);
    }
  });
});

describe('catalog: bad input is a 400 naming the field, and creates nothing', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a price sent as a string', { price: '10' }, 'body.price'],
    ['a fractional price', { price: 10.5 }, 'body.price'],
    ['a negative price', { price: -1 }, 'body.price'],
    ['a fractional weight', { weightGrams: 1.5 }, 'body.weightGrams'],
    ['an unknown field', { colour: 'red' }, 'body.colour'],
  ];
  for (const [what, overrides, field] of cases) {
    it(`refuses ${what}`, async () => {
      const before = await activeTotal();
      const res = await api.post('/api/products', draft(overrides), admin);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(fieldsNamed(res)).toContain(field);
      expect(await activeTotal()).toBe(before);
    });
  }

  it('refuses missing fields, naming each', async () => {
    const { name: _name, price: _price, ...rest } = draft();
    const res = await api.post('/api/products', rest, admin);
    expect(res.status).toBe(400);
    expect(fieldsNamed(res)).toEqual(expect.arrayContaining(['body.name', 'body.price']));
  });

  it('refuses a bad change the same way and leaves the product as it was', async () => {
    const product = await createProduct();
    const res = await api.patch(`/api/products/${product.id}`, { price: '99' }, admin);
    expect(res.status).toBe(400);
    expect(fieldsNamed(res)).toContain('body.price');
    expect((await api.get(`/api/products/${product.id}`)).body.price).toBe(product.price);
  });
});

describe('catalog: only admins change the catalog', () => {
  it('answers 403 to a customer and 401 without a token for create, update and archive', async () => {
    const product = await createProduct();
    const before = await activeTotal();
    expect((await api.post('/api/products', draft(), customer)).status).toBe(403);
    expect((await api.patch(`/api/products/${product.id}`, { price: 1 }, customer)).status).toBe(403);
    expect((await api.delete(`/api/products/${product.id}`, customer)).status).toBe(403);
    expect((await api.post('/api/products', draft())).status).toBe(401);
    expect((await api.patch(`/api/products/${product.id}`, { price: 1 })).status).toBe(401);
    expect((await api.delete(`/api/products/${product.id}`)).status).toBe(401);
    expect(await activeTotal()).toBe(before);
    expect((await api.get(`/api/products/${product.id}`)).body).toMatchObject({ price: product.price, active: true });
  });
});
