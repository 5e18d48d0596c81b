import request from 'supertest';
import { ADMIN } from './env.ts';

/** A thin HTTP client over supertest for a shop at `baseUrl` (in-process or another process). */
export class ShopClient {
  constructor(readonly baseUrl: string) {}

  http() {
    return request(this.baseUrl);
  }

  get(path: string, token?: string) {
    const r = request(this.baseUrl).get(path);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  }

  delete(path: string, token?: string) {
    const r = request(this.baseUrl).delete(path);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  }

  post(path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) {
    let r = request(this.baseUrl).post(path).set(headers);
    if (token) r = r.set('Authorization', `Bearer ${token}`);
    return body === undefined ? r : r.send(body as object);
  }

  put(path: string, body: unknown, token?: string) {
    const r = request(this.baseUrl).put(path).send(body as object);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  }

  patch(path: string, body: unknown, token?: string) {
    const r = request(this.baseUrl).patch(path).send(body as object);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  }

  /**
   * Every item of a list endpoint (`{ items, total }`, at most 100 a page), page after page: a
   * test that counts what a customer has must not stop at the first page.
   */
  async everyItem<T extends { id: string }>(path: string, token?: string): Promise<T[]> {
    // By id: an item added between two pages (lists are newest first) pushes one already read onto the next page.
    const items = new Map<string, T>();
    for (let offset = 0; ; offset += 100) {
      const res = await this.get(`${path}${path.includes('?') ? '&' : '?'}limit=100&offset=${offset}`, token);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      const page = res.body.items as T[];
      for (const item of page) items.set(item.id, item);
      if (page.length < 100 || offset + 100 >= res.body.total) return [...items.values()];
    }
  }

  /** Registers a new customer with a unique email; returns its id, email and token. */
  async registerCustomer(name = 'Test Customer'): Promise<{ id: string; email: string; token: string }> {
    const email = `customer-${Math.random().toString(36).slice(2)}-${Date.now()}@example.test`;
    let res = await this.post('/api/auth/register', { email, password: 'correct-horse-1', name });
    // 503 "busy checking other passwords" asks to come back in a few seconds, as a real client would
    // (many registrations at once on a machine busy with other tests queue behind password hashing).
    for (let retry = 0; res.status === 503 && retry < 10; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1_000));
      res = await this.post('/api/auth/register', { email, password: 'correct-horse-1', name });
    }
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.user.id, email, token: res.body.token };
  }

  /** Signs in as the admin created from ADMIN_EMAIL/ADMIN_PASSWORD. */
  async adminToken(): Promise<string> {
    const res = await this.post('/api/auth/login', ADMIN);
    if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }
}
