import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { rowsIn, writeIn } from '../../support/db.ts';
import { replayEvents } from '../../support/replay.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';
import { Shopper } from '../../support/shopper.ts';

let shop: TestShop;
let api: ShopClient;
let assortment: Assortment;

interface Rec {
  productId: string;
  name: string;
  price: number;
  reason: string;
}

/** Outdoor products: A is the bestseller, B goes with A, C went with A once, D never sold. */
const p = { a: '', b: '', c: '', d: '', lamp: '', lantern: '' };
let ann: Shopper;
let bob: Shopper;

async function stocked(name: string, categoryId: string, price: number): Promise<string> {
  const product = await assortment.product({ name, categoryId, price });
  // The warehouse learns of the product from the catalog's event.
  await shop.settled();
  await assortment.stock(product.id, 100);
  return product.id;
}

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  assortment = await Assortment.open(api);
  const outdoor = (await assortment.category('Outdoor')).id;
  const lights = (await assortment.category('Lights')).id;
  p.a = await stocked('Tent', outdoor, 20000);
  p.b = await stocked('Tent Footprint', outdoor, 3000);
  p.c = await stocked('Mallet', outdoor, 1500);
  p.d = await stocked('Hammock', outdoor, 4500);
  p.lamp = await stocked('Head Lamp', lights, 2500);
  p.lantern = await stocked('Lantern', lights, 3500);

  ann = await Shopper.register(api, 'Ann');
  bob = await Shopper.register(api, 'Bob');
  const cid = await Shopper.register(api, 'Cid');
  await ann.buy([{ productId: p.a }, { productId: p.b }]);
  await bob.buy([{ productId: p.a, quantity: 2 }, { productId: p.b }]);
  await cid.buy([{ productId: p.a }, { productId: p.c }]);
  await shop.settled();
});
afterAll(() => shop?.stop());

async function forProduct(id: string): Promise<Rec[]> {
  await shop.settled();
  const res = await api.get(`/api/products/${id}/recommendations`);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function forUser(token: string): Promise<Rec[]> {
  await shop.settled();
  const res = await api.get('/api/recommendations?limit=50', token);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('recommendation: bought together', () => {
  it('lists first what was bought together most often, then the rest of the category', async () => {
    const recs = await forProduct(p.a);
    expect(recs.map((r) => [r.productId, r.reason])).toEqual([
      [p.b, 'bought_together'],
      [p.c, 'bought_together'],
      [p.d, 'same_category'],
    ]);
    expect(recs[0]).toMatchObject({ name: 'Tent Footprint', price: 3000 });
  });

  it('learns only from paid orders: a declined card teaches nothing', async () => {
    const dan = await Shopper.register(api, 'Dan');
    const declined = await dan.checkout([{ productId: p.d }, { productId: p.lantern }], 'tok_chargeDeclined');
    await dan.orderReaches(declined, 'cancelled');
    expect((await forProduct(p.d)).find((r) => r.productId === p.lantern)).toBeUndefined();
    // Nor does it count as bought: Dan still gets both products suggested.
    expect((await forUser(dan.token)).map((r) => r.productId)).toEqual(expect.arrayContaining([p.d, p.lantern]));
  });
});

describe('recommendation: picks follow new purchases', () => {
  const picks = async (id: string) => (await forProduct(id)).map((r) => [r.productId, r.reason]);

  it('shows same-category picks for a product nobody bought yet, then what a paid order bought with it', async () => {
    const kitchen = (await assortment.category('Camp Kitchen')).id;
    const stove = await stocked('Camp Stove', kitchen, 4900);
    const pot = await stocked('Cook Pot', kitchen, 2500);
    const fuel = await stocked('Fuel Canister', kitchen, 700);
    expect(await picks(stove)).toEqual([[fuel, 'same_category'], [pot, 'same_category']]);
    const fay = await Shopper.register(api, 'Fay');
    await fay.buy([{ productId: stove }, { productId: pot }]);
    expect(await picks(stove)).toEqual([[pot, 'bought_together'], [fuel, 'same_category']]);
  });

  it('forgets its cached picks when only the bought-together pairs change', async () => {
    const kitchen = (await assortment.category('Camp Tableware')).id;
    const plate = await stocked('Enamel Plate', kitchen, 900);
    const cup = await stocked('Enamel Cup', kitchen, 600);
    const spork = await stocked('Spork', kitchen, 300);
    expect(await picks(plate)).toEqual([[spork, 'same_category'], [cup, 'same_category']]);
    // White-box: only the pairs change. No code path does that today (a purchase also counts its
    // products, a table the cache watches too), so the test above would not notice the pairs
    // table dropping out of the watched tables; this one does.
    expect(await writeIn(shop, 'recommendation', sql`INSERT INTO bought_together (product_id, other_id, orders) VALUES (${plate}, ${cup}, 1)`)).toBe(1);
    expect(await picks(plate)).toEqual([[cup, 'bought_together'], [spork, 'same_category']]);
  });
});

describe('recommendation: for a user', () => {
  it('gives a new customer the most popular products', async () => {
    const newcomer = await Shopper.register(api);
    const recs = await forUser(newcomer.token);
    expect(recs.slice(0, 2).map((r) => r.productId)).toEqual([p.a, p.b]);
    expect(new Set(recs.map((r) => r.reason))).toEqual(new Set(['popular']));
  });

  it('suggests what others bought with the customer\'s purchases, never what they already bought', async () => {
    const recs = await forUser(ann.token);
    const ids = recs.map((r) => r.productId);
    expect(ids).not.toContain(p.a);
    expect(ids).not.toContain(p.b);
    expect(recs[0]).toMatchObject({ productId: p.c, reason: 'for_you' });
  });

  it('suggests products of the categories on the customer\'s wishlist', async () => {
    const eve = await Shopper.register(api, 'Eve');
    await eve.wish(p.lamp);
    const recs = await forUser(eve.token);
    expect(recs[0]).toMatchObject({ productId: p.lantern, reason: 'for_you' });
    expect(recs.map((r) => r.productId)).not.toContain(p.lamp);
  });

  it('stops suggesting an archived product', async () => {
    const kettle = await stocked('Camp Kettle', (await assortment.category('Cookware')).id, 2000);
    await shop.settled();
    expect((await forUser(ann.token)).map((r) => r.productId)).toContain(kettle);
    await assortment.archive(kettle);
    expect((await forUser(ann.token)).map((r) => r.productId)).not.toContain(kettle);
  });
});

/** The counts themselves (white-box): the answers alone would not show every count doubled. */
async function countsKept() {
  const rows = (query: SQL) => rowsIn(shop, 'recommendation', query);
  return {
    popularity: await rows(sql`SELECT product_id, purchases FROM products ORDER BY product_id`),
    pairs: await rows(sql`SELECT product_id, other_id, orders FROM bought_together ORDER BY product_id, other_id`),
    purchases: await rows(sql`SELECT user_id, product_id FROM user_purchases ORDER BY user_id, product_id`),
    wishes: await rows(sql`SELECT user_id, product_id FROM wishes ORDER BY user_id, product_id`),
  };
}

describe('recommendation: redelivery', () => {
  it('changes no count when every event is delivered again, even if the inbox records were lost', async () => {
    const snapshot = async () => ({
      counts: await countsKept(),
      a: await forProduct(p.a),
      ann: await forUser(ann.token),
      bob: await forUser(bob.token),
    });
    const before = await snapshot();
    const producers = ['catalog', 'wishlist', 'order-taking', 'order-processing'];
    await replayEvents(shop, producers);
    expect(await snapshot()).toEqual(before);
    await replayEvents(shop, producers, { forgetHandled: ['recommendation'] });
    expect(await snapshot()).toEqual(before);
  });
});
