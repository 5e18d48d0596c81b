import { describe, expect, it, vi } from 'vitest';
import type { Implementation } from '../../../src/kernel/contract.ts';
import { unavailable } from '../../../src/kernel/errors.ts';
import type { WarehouseContract } from '../../../src/modules/warehouse/contract.ts';
import warehouseModule from '../../../src/modules/warehouse/index.ts';
import { published as outboxOf } from '../../support/published.ts';
import { shopWithCategory } from '../../support/shop-with-category.ts';

// Spied on before the shop starts, so the warehouse's call proxy goes through the spy.
const warehouseService = (warehouseModule.implementation as { prototype: Implementation<WarehouseContract> }).prototype;
const getStockLevels = vi.spyOn(warehouseService, 'getStockLevels');

const t = shopWithCategory('Garden');

/** A new product, once the warehouse has heard of it (from the catalog's event), so it can be stocked. */
const product = async (name: string, price: number) => {
  const created = await t.shelf.product({ name, categoryId: t.categoryId, price });
  await t.shop.settled();
  return created;
};
const wish = (token: string, productId: string) => t.api.post('/api/wishlist/items', { productId }, token);
const wishlistOf = async (token: string) => {
  const res = await t.api.get('/api/wishlist', token);
  expect(res.status).toBe(200);
  return res.body.items as Array<{ productId: string; name: string; price: number; inStock: boolean; addedAt: string }>;
};

/** Events the wishlist module published about one product, read from its outbox. */
async function published(type: string, productId: string): Promise<Array<{ userId: string; oldPrice?: number; newPrice?: number; name: string }>> {
  await t.shop.settled();
  const events = await outboxOf(t.shop, 'wishlist', { type });
  return events.map((e) => e.payload as { productId: string; userId: string; oldPrice?: number; newPrice?: number; name: string }).filter((p) => p.productId === productId);
}

describe('wishlist: wishing for products', () => {
  it('adds a product (201), accepts it again (200) and lists it with its price, stock and date, newest first', async () => {
    const ann = await t.api.registerCustomer();
    const rake = await product('Rake', 2500);
    const hoe = await product('Hoe', 1800);
    expect((await wish(ann.token, rake.id)).status).toBe(201);
    expect((await wish(ann.token, hoe.id)).status).toBe(201);
    expect((await wish(ann.token, rake.id)).status).toBe(200);
    const items = await wishlistOf(ann.token);
    expect(items).toEqual([
      { productId: hoe.id, name: 'Hoe', price: 1800, inStock: false, addedAt: expect.any(String) },
      { productId: rake.id, name: 'Rake', price: 2500, inStock: false, addedAt: expect.any(String) },
    ]);
    expect((await published('wishlist.item_added', rake.id)).map((e) => e.userId)).toEqual([ann.id]);
  });

  it('answers 404 for an unknown or archived product, 400 for a bad body and 401 without a token', async () => {
    const ann = await t.api.registerCustomer();
    const gone = await product('Old shears', 900);
    await t.shelf.archive(gone.id);
    expect((await wish(ann.token, 'no-such-product')).status).toBe(404);
    expect((await wish(ann.token, gone.id)).status).toBe(404);
    expect((await t.api.post('/api/wishlist/items', { productId: gone.id, note: 'x' }, ann.token)).status).toBe(400);
    expect((await t.api.post('/api/wishlist/items', { productId: 42 }, ann.token)).status).toBe(400);
    expect((await t.api.get('/api/wishlist')).status).toBe(401);
    expect(await wishlistOf(ann.token)).toEqual([]);
  });

  it('removes a product with 204, and again with 204', async () => {
    const ann = await t.api.registerCustomer();
    const pot = await product('Flower pot', 700);
    await wish(ann.token, pot.id);
    expect((await t.api.delete(`/api/wishlist/items/${pot.id}`, ann.token)).status).toBe(204);
    expect((await t.api.delete(`/api/wishlist/items/${pot.id}`, ann.token)).status).toBe(204);
    expect(await wishlistOf(ann.token)).toEqual([]);
    expect(await published('wishlist.item_removed', pot.id)).toHaveLength(1);
  });

  it('shows current prices and stock, and leaves archived products out', async () => {
    const ann = await t.api.registerCustomer();
    const hose = await product('Hose', 3000);
    const gnome = await product('Gnome', 1500);
    await wish(ann.token, hose.id);
    await wish(ann.token, gnome.id);
    await t.shelf.change(hose.id, { price: 2700 });
    await t.shelf.stock(hose.id, 4);
    await t.shelf.archive(gnome.id);
    expect(await wishlistOf(ann.token)).toEqual([expect.objectContaining({ productId: hose.id, price: 2700, inStock: true })]);
  });

  it('answers 503 rather than a guessed stock when the warehouse cannot answer', async () => {
    const ann = await t.api.registerCustomer();
    const swing = await product('Swing', 8000);
    await wish(ann.token, swing.id);
    getStockLevels.mockImplementationOnce(() => {
      throw unavailable('The warehouse did not answer');
    });
    const res = await t.api.get('/api/wishlist', ann.token);
    expect(res.status).toBe(503);
    expect(getStockLevels).toHaveBeenCalled();
  });
});

describe('wishlist: moving to the cart', () => {
  it('puts one unit in the cart, answers with the cart, and takes the product off the wishlist', async () => {
    const ann = await t.api.registerCustomer();
    const seeds = await product('Seeds', 299);
    await wish(ann.token, seeds.id);
    const moved = await t.api.post(`/api/wishlist/items/${seeds.id}/move-to-cart`, undefined, ann.token);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ items: [{ productId: seeds.id, quantity: 1, unitPrice: 299, lineTotal: 299 }], subtotal: 299, currency: 'USD' });
    expect(await wishlistOf(ann.token)).toEqual([]);
    expect((await t.api.get('/api/cart', ann.token)).body.items).toHaveLength(1);
  });

  it('answers 404 for a product not on the wishlist, and keeps a product the cart refuses', async () => {
    const ann = await t.api.registerCustomer();
    const lamp = await product('Solar lamp', 1999);
    expect((await t.api.post(`/api/wishlist/items/${lamp.id}/move-to-cart`, undefined, ann.token)).status).toBe(404);
    await wish(ann.token, lamp.id);
    await t.shelf.archive(lamp.id);
    expect((await t.api.post(`/api/wishlist/items/${lamp.id}/move-to-cart`, undefined, ann.token)).status).toBe(404);
    expect((await t.api.get('/api/cart', ann.token)).body.items).toEqual([]);
  });
});

describe('wishlist: each customer sees only their own', () => {
  it("shows nothing of another customer's wishlist and cannot move or remove their products", async () => {
    const ann = await t.api.registerCustomer();
    const bob = await t.api.registerCustomer();
    const bench = await product('Bench', 12000);
    await wish(ann.token, bench.id);
    expect(await wishlistOf(bob.token)).toEqual([]);
    expect((await t.api.post(`/api/wishlist/items/${bench.id}/move-to-cart`, undefined, bob.token)).status).toBe(404);
    expect((await t.api.delete(`/api/wishlist/items/${bench.id}`, bob.token)).status).toBe(204);
    expect((await wishlistOf(ann.token)).map((i) => i.productId)).toEqual([bench.id]);
  });
});

describe('wishlist: price drops and restocks', () => {
  it('announces a price drop once to each wisher, and nothing for a rise', async () => {
    const ann = await t.api.registerCustomer();
    const bob = await t.api.registerCustomer();
    const bystander = await t.api.registerCustomer();
    const mower = await product('Lawn mower', 30000);
    const other = await product('Leaf blower', 9000);
    await wish(ann.token, mower.id);
    await wish(bob.token, mower.id);
    await wish(bystander.token, other.id);

    await t.shelf.change(mower.id, { price: 32000 });
    expect(await published('wishlist.price_dropped', mower.id)).toEqual([]);

    await t.shelf.change(mower.id, { price: 25000 });
    const drops = await published('wishlist.price_dropped', mower.id);
    expect(drops.map((d) => d.userId).sort()).toEqual([ann.id, bob.id].sort());
    expect(drops[0]).toMatchObject({ name: 'Lawn mower', oldPrice: 32000, newPrice: 25000 });
    expect(await published('wishlist.price_dropped', other.id)).toEqual([]);
  });

  it('announces a sold-out product back in stock once to each wisher', async () => {
    const ann = await t.api.registerCustomer();
    const shed = await product('Tool shed', 45000);
    await wish(ann.token, shed.id);

    await t.shelf.stock(shed.id, 2);
    expect((await published('wishlist.back_in_stock', shed.id)).map((e) => e.userId)).toEqual([ann.id]);
    await t.shelf.stock(shed.id, 5);
    expect(await published('wishlist.back_in_stock', shed.id)).toHaveLength(1);
    await t.shelf.stock(shed.id, 0);
    await t.shelf.stock(shed.id, 1);
    expect(await published('wishlist.back_in_stock', shed.id)).toHaveLength(2);
  });
});
