import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  const shelf = await Assortment.open(api);
  const cat = await shelf.category('Anything');
  await shelf.product({ name: 'Quote "marks" AND operators (NEAR) * ^', description: 'naïve café 東京 😀', categoryId: cat.id, price: 100 });
  await shop.settled();
});
afterAll(() => shop?.stop());

const search = (q: string) => api.get('/api/search').query({ q });

/** Pieces of FTS5 query syntax, so random queries often look like (broken) FTS expressions. */
const FTS_SYNTAX = ['"', '""', '*', '^', ':', '(', ')', '{', '}', '+', '-', 'AND', 'OR', 'NOT', 'NEAR', 'NEAR(', ',', ' ', 'name:', 'search_text', "'", ';', '\\', '\u0000', '\u0301'];

describe('search: any text a user may type', () => {
  it.each([
    ['quotes', '"unbalanced'],
    ['doubled quotes', '""" "" "'],
    ['FTS operators', 'a AND OR NOT b NEAR(c d, 2) e*'],
    ['column filters', 'name:quote description:x {name description}:y'],
    ['a lone star', '*'],
    ['a caret', '^quote'],
    ['SQL', "'; DROP TABLE search_products; --"],
    ['control characters', 'quote\u0000\u0007\u001b[31m\u007f'],
    ['combining marks alone', '\u0301\u0302'],
    ['emoji', '😀 🤷🏽‍♀️'],
    ['right-to-left text', 'مرحبا שלום'],
    ['an unpaired surrogate', 'quote \ud800'],
  ])('answers 200 for %s', async (_what, q) => {
    const res = await search(q);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: expect.any(Array), total: expect.any(Number), facets: { category: expect.any(Object) } });
  });

  it('treats operators and quotes as plain words', async () => {
    expect((await search('"marks" AND (near)')).body.total).toBe(1);
    expect((await search('quote OR nothingmatchesthis')).body.total).toBe(0);
  });

  it('matches across scripts, accents and emoji', async () => {
    expect((await search('NAIVE cafe')).body.total).toBe(1);
    expect((await search('東京')).body.total).toBe(1);
  });

  it('accepts a query of 1,000 characters and refuses 1,001 with 400 naming q', async () => {
    expect((await search('quote '.repeat(200).slice(0, 1000))).status).toBe(200);
    expect((await search('x'.repeat(1000))).status).toBe(200);
    const words = Array.from({ length: 250 }, (_, i) => `w${i}`).join(' ').slice(0, 1000);
    expect((await search(words)).status).toBe(200);
    const tooLong = await search('x'.repeat(1001));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors.map((e: { path: string }) => e.path)).toContain('query.q');
  });

  it.each([
    ['a price that is not an integer', { minPrice: '12.5' }],
    ['a negative price', { maxPrice: '-1' }],
    ['an unknown sort', { sort: 'cheapest' }],
    ['inStock that is not true or false', { inStock: 'yes' }],
    ['a limit above 100', { limit: '101' }],
    ['an unknown parameter', { colour: 'red' }],
    ['q given twice', 'q=a&q=b'],
  ])('answers 400 for %s', async (_what, query) => {
    expect((await api.get('/api/search').query(query)).status).toBe(400);
  });

  it('never answers 5xx, whatever the text (property)', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...FTS_SYNTAX), maxLength: 30 }),
      fc.string({ unit: 'binary-ascii', minLength: 990, maxLength: 1010 }),
    );
    await fc.assert(
      fc.asyncProperty(text, async (q) => {
        const res = await search(q);
        expect(res.status).toBe(q.length <= 1000 ? 200 : 400);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the NUL character (U+0000), which PostgreSQL cannot store', () => {
  it('is refused as bad input by every other call, on both engines, and changes nothing', async () => {
    const list = await api.get('/api/products').query({ category: 'a\u0000b' });
    expect(list.status).toBe(400);
    expect(list.body.errors[0].message).toMatch(/NUL/);
    const filtered = await api.get('/api/search').query({ q: 'quote', category: 'a\u0000b' });
    expect(filtered.status).toBe(400);
    const email = `nul-${Date.now()}@example.test`;
    const register = await api.post('/api/auth/register', { email, password: 'a-long-password-1', name: 'Nul\u0000Name' });
    expect(register.status).toBe(400);
    expect((await api.post('/api/auth/login', { email, password: 'a-long-password-1' })).status).toBe(401);
  });
});
