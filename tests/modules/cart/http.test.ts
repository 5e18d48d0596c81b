import { describe, expect, it, vi } from 'vitest';
import type { Implementation } from '../../../src/kernel/contract.ts';
import type { CatalogContract } from '../../../src/modules/catalog/contract.ts';
import catalogModule from '../../../src/modules/catalog/index.ts';
import { shopWithCategory } from '../../support/shop-with-category.ts';

// Spied on before the shop starts, so the catalog's call proxy counts every call that reaches it.
const catalogService = (catalogModule.implementation as { prototype: Implementation<CatalogContract> }).prototype;
const getProducts = vi.spyOn(catalogService, 'getProducts');
const getProduct = vi.spyOn(catalogService, 'getProduct');

const t = shopWithCategory('Kitchen');

const product = (name: string, price: number) => t.shelf.product({ name, categoryId: t.categoryId, price });
const add = (token: string, productId: string, quantity: number) => t.api.post('/api/cart/items', { productId, quantity }, token);
const cartOf = async (token: string) => (await t.api.get('/api/cart', token)).body;

describe('cart: lines and quantities', () => {
  it('starts empty and answers 401 without a token', async () => {
    const ann = await t.api.registerCustomer();
    const res = await t.api.get('/api/cart', ann.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], subtotal: 0, currency: 'USD', withinLimits: true });
    expect((await t.api.get('/api/cart')).status).toBe(401);
  });

  it('adds units to an existing line and prices lines and subtotal in exact cents', async () => {
    const ann = await t.api.registerCustomer();
    const pan = await product('Frying pan', 2999);
    const fork = await product('Fork', 333);
    expect((await add(ann.token, pan.id, 1)).status).toBe(200);
    await add(ann.token, fork.id, 3);
    const res = await add(ann.token, pan.id, 2);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ productId: pan.id, name: 'Frying pan', unitPrice: 2999, quantity: 3, lineTotal: 8997, available: true }),
      expect.objectContaining({ productId: fork.id, name: 'Fork', unitPrice: 333, quantity: 3, lineTotal: 999, available: true }),
    ]);
    expect(res.body.subtotal).toBe(9996);
    expect(res.body.currency).toBe('USD');
  });

  it('refuses a line above 99 units with 422 and changes nothing', async () => {
    const ann = await t.api.registerCustomer();
    const cup = await product('Cup', 100);
    expect((await add(ann.token, cup.id, 99)).status).toBe(200);
    const over = await add(ann.token, cup.id, 1);
    expect(over.status).toBe(422);
    expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await cartOf(ann.token)).items[0].quantity).toBe(99);
  });

  it('answers 404 for an unknown or archived product', async () => {
    const ann = await t.api.registerCustomer();
    const gone = await product('Discontinued kettle', 1000);
    await t.shelf.archive(gone.id);
    expect((await add(ann.token, 'no-such-product', 1)).status).toBe(404);
    expect((await add(ann.token, gone.id, 1)).status).toBe(404);
    expect((await cartOf(ann.token)).items).toEqual([]);
  });

  it.each([
    ['a quantity of 0', { quantity: 0 }],
    ['a quantity of 100', { quantity: 100 }],
    ['a quantity sent as a string', { quantity: '2' }],
    ['a fractional quantity', { quantity: 1.5 }],
    ['no quantity', { quantity: undefined }],
    ['an unknown field', { quantity: 1, gift: true }],
  ])('answers 400 for %s', async (_what, fields) => {
    const ann = await t.api.registerCustomer();
    const spoon = await product('Spoon', 200);
    const res = await t.api.post('/api/cart/items', { productId: spoon.id, ...fields }, ann.token);
    expect(res.status).toBe(400);
  });

  it('sets a quantity, removes the line at 0, and answers 404 for a line not in the cart', async () => {
    const ann = await t.api.registerCustomer();
    const bowl = await product('Bowl', 450);
    await add(ann.token, bowl.id, 1);
    const set = await t.api.patch(`/api/cart/items/${bowl.id}`, { quantity: 7 }, ann.token);
    expect(set.status).toBe(200);
    expect(set.body.items[0]).toMatchObject({ quantity: 7, lineTotal: 3150 });
    expect(set.body.subtotal).toBe(3150);
    expect((await t.api.patch(`/api/cart/items/${bowl.id}`, { quantity: 100 }, ann.token)).status).toBe(400);
    const zero = await t.api.patch(`/api/cart/items/${bowl.id}`, { quantity: 0 }, ann.token);
    expect(zero.status).toBe(200);
    expect(zero.body).toEqual({ items: [], subtotal: 0, currency: 'USD', withinLimits: true });
    expect((await t.api.patch(`/api/cart/items/${bowl.id}`, { quantity: 2 }, ann.token)).status).toBe(404);
  });

  it('removes a line (200 with the cart; 404 when absent) and empties the cart (204)', async () => {
    const ann = await t.api.registerCustomer();
    const plate = await product('Plate', 900);
    const glass = await product('Glass', 400);
    await add(ann.token, plate.id, 1);
    await add(ann.token, glass.id, 2);
    const removed = await t.api.delete(`/api/cart/items/${plate.id}`, ann.token);
    expect(removed.status).toBe(200);
    expect(removed.body.items.map((i: { productId: string }) => i.productId)).toEqual([glass.id]);
    expect((await t.api.delete(`/api/cart/items/${plate.id}`, ann.token)).status).toBe(404);
    const cleared = await t.api.delete('/api/cart', ann.token);
    expect(cleared.status).toBe(204);
    expect((await cartOf(ann.token)).items).toEqual([]);
  });
});

describe('cart: current catalog prices', () => {
  it('shows the new price once the catalog reprices a product', async () => {
    const ann = await t.api.registerCustomer();
    const pot = await product('Stock pot', 5000);
    await add(ann.token, pot.id, 2);
    await t.shelf.change(pot.id, { price: 4250 });
    const cart = await cartOf(ann.token);
    expect(cart.items[0]).toMatchObject({ unitPrice: 4250, lineTotal: 8500 });
    expect(cart.subtotal).toBe(8500);
  });

  it('keeps a line whose product was archived, unavailable and out of the subtotal', async () => {
    const ann = await t.api.registerCustomer();
    const kept = await product('Whisk', 650);
    const archived = await product('Egg slicer', 1225);
    await add(ann.token, kept.id, 1);
    await add(ann.token, archived.id, 2);
    await t.shelf.archive(archived.id);
    const cart = await cartOf(ann.token);
    expect(cart.items).toEqual([
      expect.objectContaining({ productId: kept.id, available: true, lineTotal: 650 }),
      expect.objectContaining({ productId: archived.id, available: false, quantity: 2, lineTotal: 2450 }),
    ]);
    expect(cart.subtotal).toBe(650);
  });

  it('asks the catalog once per cart read, for all lines at once', async () => {
    const ann = await t.api.registerCustomer();
    const ids = [];
    for (const name of ['Knife', 'Board', 'Peeler']) {
      ids.push((await product(name, 1000)).id);
      await add(ann.token, ids.at(-1)!, 1);
    }
    await t.shop.settled();
    getProducts.mockClear();
    getProduct.mockClear();
    const cart = await cartOf(ann.token);
    expect(cart.items).toHaveLength(3);
    expect(getProducts).toHaveBeenCalledTimes(1);
    expect(getProducts.mock.calls[0][0].productIds).toEqual(ids);
    expect(getProduct).not.toHaveBeenCalled();
  });
});

describe('cart: the money limit', () => {
  const MAX = 1_000_000_000;

  it('refuses units that would take a line total or the subtotal over the money limit with 422 naming it, and changes nothing', async () => {
    const ann = await t.api.registerCustomer();
    const crown = await product('Crown', MAX);
    const sceptre = await product('Sceptre', MAX);
    expect((await add(ann.token, crown.id, 1)).status).toBe(200);
    const before = await cartOf(ann.token);
    expect(before.subtotal).toBe(MAX);
    const refusals = [await add(ann.token, crown.id, 1), await add(ann.token, sceptre.id, 1), await t.api.patch(`/api/cart/items/${crown.id}`, { quantity: 2 }, ann.token)];
    for (const res of refusals) {
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/money limit of 1,000,000,000 cents/);
    }
    expect(await cartOf(ann.token)).toEqual(before);
  });

  it('still reads a cart a reprice took over the money limit, marked withinLimits: false, and lets units be taken out', async () => {
    const ann = await t.api.registerCustomer();
    const ingot = await product('Gold ingot', 1000);
    const cloth = await product('Polishing cloth', 100);
    await add(ann.token, ingot.id, 2);
    await t.shelf.change(ingot.id, { price: MAX });
    const read = await t.api.get('/api/cart', ann.token);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ items: [{ unitPrice: MAX, quantity: 2, lineTotal: 2 * MAX }], subtotal: 2 * MAX, withinLimits: false });
    expect((await add(ann.token, cloth.id, 1)).status).toBe(422);
    expect(await cartOf(ann.token)).toEqual(read.body);
    const fewer = await t.api.patch(`/api/cart/items/${ingot.id}`, { quantity: 1 }, ann.token);
    expect(fewer.status).toBe(200);
    expect(fewer.body).toMatchObject({ subtotal: MAX, withinLimits: true });
  });
});

describe('cart: each customer sees only their own', () => {
  it("shows nothing of another customer's cart and answers 404 for acting on their lines", async () => {
    const ann = await t.api.registerCustomer();
    const bob = await t.api.registerCustomer();
    const tray = await product('Tray', 1500);
    await add(ann.token, tray.id, 2);
    expect((await cartOf(bob.token)).items).toEqual([]);
    expect((await t.api.patch(`/api/cart/items/${tray.id}`, { quantity: 5 }, bob.token)).status).toBe(404);
    expect((await t.api.delete(`/api/cart/items/${tray.id}`, bob.token)).status).toBe(404);
    expect((await t.api.delete('/api/cart', bob.token)).status).toBe(204);
    expect((await cartOf(ann.token)).items).toEqual([expect.objectContaining({ productId: tray.id, quantity: 2 })]);
  });
});
