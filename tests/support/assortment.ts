import { eventually } from './eventually.ts';
import type { ShopClient } from './client.ts';

/** Admin journeys that stock the shop for browse tests (search, cart, wishlist), through HTTP. */
export class Assortment {
  private constructor(
    private readonly api: ShopClient,
    private readonly adminToken: string,
  ) {}

  static async open(api: ShopClient): Promise<Assortment> {
    return new Assortment(api, await api.adminToken());
  }

  async category(name: string): Promise<{ id: string; name: string; slug: string }> {
    const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${unique()}`;
    return expectStatus(await this.api.post('/api/categories', { name, slug }, this.adminToken), 201);
  }

  async product(fields: { name: string; categoryId: string; price: number; description?: string; weightGrams?: number; sku?: string }): Promise<{ id: string; name: string; price: number; createdAt: string }> {
    const body = { sku: `SKU-${unique()}`, description: '', weightGrams: 250, ...fields };
    return expectStatus(await this.api.post('/api/products', body, this.adminToken), 201);
  }

  async change(productId: string, changes: Record<string, unknown>): Promise<void> {
    expectStatus(await this.api.patch(`/api/products/${productId}`, changes, this.adminToken), 200);
  }

  async archive(productId: string): Promise<void> {
    expectStatus(await this.api.delete(`/api/products/${productId}`, this.adminToken), 204);
  }

  /**
   * The warehouse learns of a new product from the catalog's event, a moment after the product
   * was created (longer on PostgreSQL or across processes): until then the stock is 404, and this
   * waits for it as a client would, for up to 10 s.
   */
  async stock(productId: string, onHand: number): Promise<void> {
    const put = () => this.api.put(`/api/inventory/${productId}`, { onHand }, this.adminToken);
    const res = await eventually(put, (r) => r.status !== 404, { intervalMs: 10, what: `the warehouse to know product ${productId}` }).catch(put);
    expectStatus(res, 200);
  }
}

function expectStatus<T>(res: { status: number; body: T }, status: number): T {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

let counter = 0;
function unique(): string {
  return `${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
