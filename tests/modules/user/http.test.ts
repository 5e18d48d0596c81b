import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestShop, type TestShop } from '../../support/in-process.ts';
import { ShopClient } from '../../support/client.ts';
import { published } from '../../support/published.ts';
import { expectNothingChangedBy } from '../../support/unchanged.ts';
import { ADMIN } from '../../support/env.ts';

let shop: TestShop;
let api: ShopClient;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
});
afterAll(() => shop?.stop());

describe('user: registration and sign-in', () => {
  it('registers a customer and answers 201 with a token that opens /api/users/me', async () => {
    const email = `ann-${Date.now()}@example.test`;
    const reg = await api.post('/api/auth/register', { email, password: 'password-123', name: 'Ann' });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ email, name: 'Ann', role: 'customer', preferences: { emailNotifications: true } });
    expect(reg.body.user).not.toHaveProperty('passwordHash');
    const me = await api.get('/api/users/me', reg.body.token);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(reg.body.user.id);
  });

  it('refuses a second account with the same email (any case) with 409, and leaves the first account and its announcement as they were', async () => {
    const email = `dup-${Date.now()}@example.test`;
    const first = await api.post('/api/auth/register', { email, password: 'password-123', name: 'A' });
    expect(first.status).toBe(201);
    const announced = async () => (await published(shop, 'user', { type: 'user.registered' })).filter((e) => e.payload.email === email);
    await expectNothingChangedBy(shop, { account: async () => (await api.get('/api/users/me', first.body.token)).body, announced }, async () => {
      const again = await api.post('/api/auth/register', { email: email.toUpperCase(), password: 'another-password-456', name: 'B' });
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    });
    expect(await announced()).toHaveLength(1);
    expect((await api.post('/api/auth/login', { email, password: 'password-123' })).status).toBe(200);
    expect((await api.post('/api/auth/login', { email, password: 'another-password-456' })).status).toBe(401);
  });

  it('logs in with the right password and answers 401 alike for a wrong password and an unknown email', async () => {
    const c = await api.registerCustomer();
    expect((await api.post('/api/auth/login', { email: c.email, password: 'correct-horse-1' })).status).toBe(200);
    const wrong = await api.post('/api/auth/login', { email: c.email, password: 'nope-nope-nope' });
    const unknown = await api.post('/api/auth/login', { email: `x${c.email}`, password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('answers 429 after repeated failed sign-ins for one account', async () => {
    const c = await api.registerCustomer();
    for (let i = 0; i < 5; i++) expect((await api.post('/api/auth/login', { email: c.email, password: 'wrong-password' })).status).toBe(401);
    const locked = await api.post('/api/auth/login', { email: c.email, password: 'correct-horse-1' });
    expect(locked.status).toBe(429);
  });

  it('creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD on first start', async () => {
    const token = await api.adminToken();
    const me = await api.get('/api/users/me', token);
    expect(me.body.role).toBe('admin');
  });
});

describe('user: profile and addresses', () => {
  it('updates name and email preference', async () => {
    const c = await api.registerCustomer();
    const res = await api.patch('/api/users/me', { name: 'New Name', preferences: { emailNotifications: false } }, c.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'New Name', preferences: { emailNotifications: false } });
  });

  it('saves addresses and shows them only to their owner', async () => {
    const ann = await api.registerCustomer();
    const bob = await api.registerCustomer();
    const address = { name: 'Ann', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
    const created = await api.post('/api/users/me/addresses', address, ann.token);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(address);
    const mine = await api.get('/api/users/me/addresses', ann.token);
    expect(mine.body.items.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    const theirs = await api.get('/api/users/me/addresses', bob.token);
    expect(theirs.body.items).toEqual([]);
  });

  it('rejects a bad country code with 400 naming the field', async () => {
    const c = await api.registerCustomer();
    const res = await api.post('/api/users/me/addresses', { name: 'A', line1: 'x', city: 'y', postalCode: '1', country: 'usa' }, c.token);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.country');
  });
});

describe('user: the back office finds customers', () => {
  const tag = `find-${Date.now()}`;
  const register = (local: string, name: string) =>
    api.post('/api/auth/register', { email: `${local}@${tag}.example.test`, password: 'password-123', name });

  it('finds accounts by any part of their email, in any case, newest first, with what an operator needs and nothing secret', async () => {
    const ann = (await register('ann.lee', 'Ann Lee')).body.user;
    const bob = (await register('bob_ray', 'Bob Ray')).body.user;
    const admin = await api.adminToken();
    const res = await api.get(`/api/admin/users?email=${tag.toUpperCase()}`, admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { id: bob.id, email: bob.email, name: 'Bob Ray', role: 'customer', createdAt: bob.createdAt },
        { id: ann.id, email: ann.email, name: 'Ann Lee', role: 'customer', createdAt: ann.createdAt },
      ],
      total: 2,
    });
    expect((await api.get(`/api/admin/users?email=ann.lee@${tag}`, admin)).body.items.map((u: { id: string }) => u.id)).toEqual([ann.id]);
    // `_` and `%` are searched as themselves, not as wildcards.
    expect((await api.get(`/api/admin/users?email=${encodeURIComponent(`b_b_ray@${tag}`)}`, admin)).body.total).toBe(0);
    expect((await api.get(`/api/admin/users?email=${encodeURIComponent(`bob_ray@${tag}`)}`, admin)).body.total).toBe(1);
    expect((await api.get(`/api/admin/users?email=${encodeURIComponent('%')}`, admin)).body.total).toBe(0);
    const page = await api.get(`/api/admin/users?email=${tag}&limit=1&offset=1`, admin);
    expect(page.body).toEqual({ items: [expect.objectContaining({ id: ann.id })], total: 2 });
    expect((await api.get('/api/admin/users?limit=100', admin)).body.items.map((u: { email: string }) => u.email)).toContain(ADMIN.email);
  });

  it('answers 400 to a bad query, 403 to a customer and 401 without a token', async () => {
    const admin = await api.adminToken();
    for (const query of ['email=', 'limit=0', 'offset=x', 'name=ann']) expect((await api.get(`/api/admin/users?${query}`, admin)).status, query).toBe(400);
    const customer = await api.registerCustomer();
    expect((await api.get('/api/admin/users', customer.token)).status).toBe(403);
    expect((await api.get('/api/admin/users')).status).toBe(401);
  });
});
