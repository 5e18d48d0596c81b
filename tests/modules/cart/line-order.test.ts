import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cartContract } from '../../../src/modules/cart/contract.ts';
import { shopWithCategory } from '../../support/shop-with-category.ts';

const t = shopWithCategory('Stationery');

const cart = () => t.shop.runtime.use(cartContract);

describe('cart: the order of its lines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lists lines in the order they were added, also when all were added within one millisecond', async () => {
    const products = [];
    for (const name of ['Pen', 'Ink', 'Pad', 'Clip', 'Tape', 'Glue']) products.push(await t.shelf.product({ name, categoryId: t.categoryId, price: 100 }));
    const userId = randomUUID();
    // The clock stands still: without their own ordering the six lines would tie and be listed by
    // product id, a random order (1 chance in 720 to pass by luck).
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
    for (const p of products) await cart().addItem({ userId, productId: p.id, quantity: 1 });
    vi.useRealTimers();
    expect((await cart().getCart({ userId })).items.map((l) => l.name)).toEqual(['Pen', 'Ink', 'Pad', 'Clip', 'Tape', 'Glue']);
  });
});
