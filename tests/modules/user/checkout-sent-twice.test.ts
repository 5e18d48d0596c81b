import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../src/kernel/contract.ts';
import { AppError } from '../../../src/kernel/errors.ts';
import { cartContract } from '../../../src/modules/cart/contract.ts';
import { orderTakingContract } from '../../../src/modules/order-taking/contract.ts';
import { userContract } from '../../../src/modules/user/contract.ts';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { countIn } from '../../support/db.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

const ADDRESS = { name: 'Gail Guest', line1: '2 Side St', city: 'Springfield', postalCode: '12345', country: 'US' };

let shop: TestShop;
let api: ShopClient;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
});
afterAll(async () => {
  await shop?.stop();
});

const users = () => shop.runtime.use(userContract);
const freshEmail = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.test`;
/** A checkout session's key, as the storefront passes its guest cart id. */
const freshKey = () => `guest_${randomUUID()}`;
const usersWithEmail = (email: string) => countIn(shop, 'user', sql`SELECT count(*) AS n FROM users WHERE email = ${email}`);
const addressesOf = async (userId: string) => (await users().listAddresses({ userId })).items;
const tenAtOnce = <T>(call: () => Promise<T>) => Promise.all(Array.from({ length: 10 }, call));

describe('user: createGuest for a checkout sent twice', () => {
  it('answers the same account to the same key and email (in any case), keeping the name it was made with', async () => {
    const email = freshEmail('twice');
    const guestKey = freshKey();
    const first = await users().createGuest({ email, name: 'Gail Guest', guestKey });
    const again = await users().createGuest({ email: email.toUpperCase(), name: 'Gail G.', guestKey });
    expect(again).toEqual(first);
    expect(await users().getUser({ userId: first.userId })).toMatchObject({ email, name: 'Gail Guest', guest: true });
    expect(await usersWithEmail(email)).toBe(1);
  });

  it('answers one account to ten concurrent calls with the same key and email', async () => {
    const email = freshEmail('ten');
    const guestKey = freshKey();
    const answers = await tenAtOnce(() => users().createGuest({ email, name: 'Gail Guest', guestKey }));
    expect(new Set(answers.map((a) => a.userId)).size).toBe(1);
    expect(await usersWithEmail(email)).toBe(1);
  });

  it('makes another account for the same key with another email (the visitor typed another one)', async () => {
    const guestKey = freshKey();
    const first = await users().createGuest({ email: freshEmail('typo'), name: 'Gail Guest', guestKey });
    const corrected = await users().createGuest({ email: freshEmail('fixed'), name: 'Gail Guest', guestKey });
    expect(corrected.userId).not.toBe(first.userId);
  });

  it('makes another account for another key with the same email', async () => {
    const email = freshEmail('two-sessions');
    const first = await users().createGuest({ email, name: 'Gail Guest', guestKey: freshKey() });
    const second = await users().createGuest({ email, name: 'Gail Guest', guestKey: freshKey() });
    expect(second.userId).not.toBe(first.userId);
    expect(await usersWithEmail(email)).toBe(2);
  });
});

describe('user: saveAddress for a checkout sent twice', () => {
  const guest = async () => (await users().createGuest({ email: freshEmail('saver'), name: 'Gail Guest', guestKey: freshKey() })).userId;

  it('answers the address saved before when saved again with the same fields', async () => {
    const userId = await guest();
    const first = await users().saveAddress({ userId, address: ADDRESS });
    expect(await users().saveAddress({ userId, address: { ...ADDRESS } })).toEqual(first);
    expect(await addressesOf(userId)).toEqual([first]);
  });

  it('saves one address for ten concurrent identical calls', async () => {
    const userId = await guest();
    const answers = await tenAtOnce(() => users().saveAddress({ userId, address: ADDRESS }));
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(await addressesOf(userId)).toEqual([answers[0]]);
  });

  it('saves a new address when any one field differs', async () => {
    const userId = await guest();
    const first = await users().saveAddress({ userId, address: { ...ADDRESS, line2: 'Flat 1' } });
    const variants = [
      { ...ADDRESS, name: 'Gail Other', line2: 'Flat 1' },
      { ...ADDRESS, line1: '3 Side St', line2: 'Flat 1' },
      { ...ADDRESS, line2: 'Flat 2' },
      { ...ADDRESS },
      { ...ADDRESS, city: 'Shelbyville', line2: 'Flat 1' },
      { ...ADDRESS, postalCode: '54321', line2: 'Flat 1' },
      { ...ADDRESS, country: 'CA', line2: 'Flat 1' },
    ];
    const saved = [];
    for (const address of variants) saved.push(await users().saveAddress({ userId, address }));
    expect(new Set([first.id, ...saved.map((a) => a.id)]).size).toBe(1 + variants.length);
    expect(await addressesOf(userId)).toHaveLength(1 + variants.length);
  });

  it('takes no second line and an empty one as the same, whichever call saved it (addAddress too)', async () => {
    const userId = await guest();
    const added = await users().addAddress({ userId, address: { ...ADDRESS, line2: '' } });
    expect(await users().saveAddress({ userId, address: ADDRESS })).toEqual(added);
    expect(await users().saveAddress({ userId, address: { ...ADDRESS, line2: '  ' } })).toEqual(added);
    expect(await addressesOf(userId)).toEqual([added]);
  });

  it('refuses an unknown user as not found and saves nothing', async () => {
    const userId = randomUUID();
    await expect(users().saveAddress({ userId, address: ADDRESS })).rejects.toMatchObject({ kind: 'not_found' });
    expect(await countIn(shop, 'user', sql`SELECT count(*) AS n FROM addresses WHERE user_id = ${userId}`)).toBe(0);
  });
});

describe('user: a guest checkout sent twice', () => {
  it('gives two concurrent checkouts of one session the same order, and a retry after a lost answer too', async () => {
    const shelf = await Assortment.open(api);
    const category = await shelf.category('Sent twice');
    const product = await shelf.product({ name: 'Garden Chair', categoryId: category.id, price: 4200 });
    await shop.settled();
    await shelf.stock(product.id, 10);
    const cart = shop.runtime.use(cartContract);
    const orders = shop.runtime.use(orderTakingContract);

    // As the storefront's checkout does it, with what one form post carries.
    const visitor = freshKey();
    await cart.addItem({ userId: visitor, productId: product.id, quantity: 2 });
    const email = freshEmail('double-click');
    const idempotencyKey = randomUUID();
    const checkout = async () => {
      const { userId } = await users().createGuest({ email, name: 'Gail Guest', guestKey: visitor });
      await cart.mergeCart({ fromUserId: visitor, intoUserId: userId });
      const address = await users().saveAddress({ userId, address: ADDRESS });
      const { order } = await placeOrderWhenFree(orders, {
        userId,
        idempotencyKey,
        checkout: { addressId: address.id, shippingMethod: 'standard', paymentToken: 'tok_visa' },
      });
      return { userId, orderId: order.id };
    };

    const [first, second] = await Promise.all([checkout(), checkout()]);
    expect(second).toEqual(first);
    expect(await checkout()).toEqual(first);

    const placed = await orders.listOrders({ userId: first.userId, limit: 10, offset: 0 });
    expect(placed.items.map((o) => o.id)).toEqual([first.orderId]);
    expect((await orders.getOrder({ userId: first.userId, orderId: first.orderId })).items).toEqual([
      expect.objectContaining({ productId: product.id, quantity: 2 }),
    ]);
    expect(await usersWithEmail(email)).toBe(1);
    expect(await addressesOf(first.userId)).toHaveLength(1);
  });
});

type OrderTaking = Api<typeof orderTakingContract>;

/** placeOrder, sent again while the same checkout is still in progress (conflict), as a client retries it. */
async function placeOrderWhenFree(orders: OrderTaking, input: Parameters<OrderTaking['placeOrder']>[0]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await orders.placeOrder(input);
    } catch (err) {
      if (!(err instanceof AppError && err.kind === 'conflict') || attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
