import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cartContract } from '../../../src/modules/cart/contract.ts';
import { shopWithCategory } from '../../support/shop-with-category.ts';

const t = shopWithCategory('Pantry');

const cart = () => t.shop.runtime.use(cartContract);
/** A visitor's cart before they sign in: kept under a guest id, as the storefront keeps it. */
const guestId = () => `guest_${randomUUID()}`;
const product = (name: string, price: number) => t.shelf.product({ name, categoryId: t.categoryId, price });
const lines = async (userId: string) => (await cart().getCart({ userId })).items.map((l) => [l.name, l.quantity]);

describe('cart: merging a guest cart into an account', () => {
  it("adds the guest's lines to the account's cart, units of a product in both adding up, and empties the guest's cart", async () => {
    const guest = guestId();
    const account = randomUUID();
    const tea = await product('Tea', 450);
    const jam = await product('Jam', 600);
    const honey = await product('Honey', 900);
    await cart().addItem({ userId: account, productId: tea.id, quantity: 1 });
    await cart().addItem({ userId: account, productId: honey.id, quantity: 1 });
    await cart().addItem({ userId: guest, productId: tea.id, quantity: 2 });
    await cart().addItem({ userId: guest, productId: jam.id, quantity: 3 });

    const merged = await cart().mergeCart({ fromUserId: guest, intoUserId: account });
    expect(merged.items.map((l) => [l.name, l.quantity])).toEqual([['Tea', 3], ['Honey', 1], ['Jam', 3]]);
    expect(merged.subtotal).toBe(3 * 450 + 900 + 3 * 600);
    expect(await cart().getCart({ userId: account })).toEqual(merged);
    expect((await cart().getCart({ userId: guest })).items).toEqual([]);
  });

  it('changes nothing when repeated: the guest cart is empty and the account keeps its units', async () => {
    const guest = guestId();
    const account = randomUUID();
    const rice = await product('Rice', 300);
    await cart().addItem({ userId: guest, productId: rice.id, quantity: 4 });
    const first = await cart().mergeCart({ fromUserId: guest, intoUserId: account });
    expect(await cart().mergeCart({ fromUserId: guest, intoUserId: account })).toEqual(first);
    expect(await lines(account)).toEqual([['Rice', 4]]);
  });

  it('moves the units once when the same guest cart is merged twice at the same moment', async () => {
    const guest = guestId();
    const account = randomUUID();
    const oats = await product('Oats', 250);
    await cart().addItem({ userId: guest, productId: oats.id, quantity: 5 });
    await Promise.all([cart().mergeCart({ fromUserId: guest, intoUserId: account }), cart().mergeCart({ fromUserId: guest, intoUserId: account })]);
    expect(await lines(account)).toEqual([['Oats', 5]]);
    expect(await lines(guest)).toEqual([]);
  });

  it('keeps a line at 99 units: units beyond that are dropped, not refused', async () => {
    const guest = guestId();
    const account = randomUUID();
    const salt = await product('Salt', 100);
    await cart().addItem({ userId: account, productId: salt.id, quantity: 90 });
    await cart().addItem({ userId: guest, productId: salt.id, quantity: 20 });
    await cart().mergeCart({ fromUserId: guest, intoUserId: account });
    expect(await lines(account)).toEqual([['Salt', 99]]);
    expect(await lines(guest)).toEqual([]);
  });

  it('drops the lines of products archived since the guest added them', async () => {
    const guest = guestId();
    const account = randomUUID();
    const flour = await product('Flour', 200);
    const gone = await product('Discontinued syrup', 700);
    await cart().addItem({ userId: guest, productId: flour.id, quantity: 1 });
    await cart().addItem({ userId: guest, productId: gone.id, quantity: 2 });
    await t.shelf.archive(gone.id);
    await cart().mergeCart({ fromUserId: guest, intoUserId: account });
    expect(await lines(account)).toEqual([['Flour', 1]]);
    expect(await lines(guest)).toEqual([]);
  });

  it('keeps the subtotal within the money limit: units that would pass it are dropped, older lines first served', async () => {
    const MAX = 1_000_000_000;
    const guest = guestId();
    const account = randomUUID();
    const bar = await product('Gold bar', MAX / 4);
    const coin = await product('Gold coin', MAX / 10);
    await cart().addItem({ userId: account, productId: bar.id, quantity: 2 });
    await cart().addItem({ userId: guest, productId: bar.id, quantity: 1 });
    await cart().addItem({ userId: guest, productId: coin.id, quantity: 5 });
    const merged = await cart().mergeCart({ fromUserId: guest, intoUserId: account });
    expect(merged.items.map((l) => [l.name, l.quantity])).toEqual([['Gold bar', 3], ['Gold coin', 2]]);
    expect(merged).toMatchObject({ subtotal: 3 * (MAX / 4) + 2 * (MAX / 10), withinLimits: true });
  });

  it('refuses to merge a cart into itself as invalid, and changes nothing', async () => {
    const account = randomUUID();
    const bread = await product('Bread', 350);
    await cart().addItem({ userId: account, productId: bread.id, quantity: 2 });
    await expect(cart().mergeCart({ fromUserId: account, intoUserId: account })).rejects.toMatchObject({ kind: 'validation' });
    expect(await lines(account)).toEqual([['Bread', 2]]);
  });
});
