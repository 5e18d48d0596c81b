import { mapLimit } from '../tools/map-limit.ts';
import { call } from './http.ts';
import type { Customer } from './checkout.ts';
import type { BrowseFixture } from './load.ts';

/** Registers `count` customers, each with an address, through the HTTP API. */
export async function createCustomers(baseUrl: string, count: number): Promise<Customer[]> {
  const run = Date.now().toString(36);
  return mapLimit(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
    const reg = await call<{ token: string }>(baseUrl, 'POST', '/api/auth/register', {
      body: { email: `bench-${run}-${i}@example.test`, password: 'bench-password-1', name: `Bench Customer ${i}` },
    });
    if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
    const address = await call<{ id: string }>(baseUrl, 'POST', '/api/users/me/addresses', {
      token: reg.body.token,
      body: { name: `Bench Customer ${i}`, line1: `${i} Main Street`, city: 'Springfield', postalCode: '12345', country: 'US' },
    });
    if (address.status !== 201) throw new Error(`address failed: ${address.status}`);
    return { token: reg.body.token, addressId: address.body.id };
  });
}

/** Product ids, category ids and search words of the seeded catalog, read through the API. */
export async function readCatalog(baseUrl: string, customers: Customer[]): Promise<BrowseFixture> {
  const categories = await call<Array<{ id: string }>>(baseUrl, 'GET', '/api/categories');
  const first = await call<{ total: number }>(baseUrl, 'GET', '/api/products?limit=1');
  const pages = Array.from({ length: Math.ceil(first.body.total / 100) }, (_, i) => i * 100);
  const items = (await mapLimit(pages, 8, async (offset) => (await call<{ items: Array<{ id: string; name: string }> }>(baseUrl, 'GET', `/api/products?limit=100&offset=${offset}`)).body.items)).flat();
  const words = [...new Set(items.flatMap((p) => p.name.toLowerCase().split(/\W+/)).filter((w) => w.length > 3))];
  return {
    productIds: items.map((p) => p.id),
    categoryIds: categories.body.map((c) => c.id),
    words: words.flatMap((w) => [w, w.slice(0, 4)]),
    tokens: customers.map((c) => c.token),
  };
}
