import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ShopClient } from '../../support/client.ts';
import { writeIn } from '../../support/db.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
});
afterAll(() => shop?.stop());

const PASSWORD = 'correct-horse-1';
/** The shop trusts X-Forwarded-For from a loopback peer (as from a proxy on the same host): a client at that address. */
const from = (address: string) => ({ 'X-Forwarded-For': address });
const login = (email: string, password: string, address?: string) =>
  api.post('/api/auth/login', { email, password }, undefined, address ? from(address) : {});
const statuses = (answers: Array<{ status: number }>) => answers.map((a) => a.status).sort();
const unknownEmail = (tag: string, i: number) => `nobody-${tag}-${i}-${Date.now()}@example.test`;

describe('user: sign-in throttle', () => {
  it('counts parallel wrong passwords before checking them: of 20 at once for one account, 5 get 401 and 15 get 429', async () => {
    const c = await api.registerCustomer();
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(c.email, 'wrong-password')));
    expect(statuses(answers)).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    // The account stays locked for this address, even for the right password.
    expect((await login(c.email, PASSWORD)).status).toBe(429);
  });

  it('locks a guesser out of an account from their address and still lets the owner in from theirs', async () => {
    const c = await api.registerCustomer();
    for (let i = 0; i < 5; i++) expect((await login(c.email, 'wrong-password', '203.0.113.5')).status).toBe(401);
    const guesser = await login(c.email, PASSWORD, '203.0.113.5');
    expect(guesser.status).toBe(429);
    expect(guesser.body.detail).toMatch(/failed sign-ins for this account/);
    const owner = await login(c.email, PASSWORD, '198.51.100.7');
    expect(owner.status).toBe(200);
    expect(owner.body.user.id).toBe(c.id);
  });

  it('answers 429 to an address that tried one password on 30 accounts, and 401 as before to other addresses', async () => {
    for (let i = 0; i < 30; i++) expect((await login(unknownEmail('spray', i), 'Summer2026!', '203.0.113.9')).status).toBe(401);
    const sprayer = await login(unknownEmail('spray', 30), 'Summer2026!', '203.0.113.9');
    expect(sprayer.status).toBe(429);
    expect(sprayer.body.detail).toMatch(/from your network/);
    expect((await login(unknownEmail('spray', 31), 'Summer2026!', '198.51.100.9')).status).toBe(401);
  });

  it('locks an account guessed at from many addresses, except for an address its owner signed in from before', async () => {
    const c = await api.registerCustomer();
    expect((await login(c.email, PASSWORD, '198.51.100.30')).status).toBe(200);
    for (const address of ['203.0.113.31', '203.0.113.32', '203.0.113.33', '203.0.113.34']) {
      for (let i = 0; i < 5; i++) expect((await login(c.email, 'wrong-password', address)).status).toBe(401);
    }
    const newcomer = await login(c.email, PASSWORD, '192.0.2.35');
    expect(newcomer.status).toBe(429);
    expect(newcomer.body.detail).toMatch(/signed in from before/);
    expect((await login(c.email, PASSWORD, '198.51.100.30')).status).toBe(200);
  });

  it('answers 429 to the 21st registration from one address within the hour and creates no account for it', async () => {
    const email = (i: number) => `signup-${i}-${Date.now()}@example.test`;
    const body = (i: number) => ({ email: email(i), password: PASSWORD, name: `Signup ${i}` });
    for (let i = 0; i < 20; i++) expect((await api.post('/api/auth/register', body(i), undefined, from('203.0.113.40'))).status).toBe(201);
    const refused = await api.post('/api/auth/register', body(20), undefined, from('203.0.113.40'));
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/accounts created from your network/);
    expect((await login(email(20), PASSWORD, '198.51.100.40')).status).toBe(401);
    expect((await api.post('/api/auth/register', body(20), undefined, from('198.51.100.40'))).status).toBe(201);
  });
});

describe('user: logout and token revocation', () => {
  it("answers 204 to POST /api/auth/logout, after which the caller's tokens answer 401 and other users' still work", async () => {
    const ann = await api.registerCustomer();
    const bob = await api.registerCustomer();
    const second = (await login(ann.email, PASSWORD)).body.token as string;
    const out = await api.post('/api/auth/logout', undefined, ann.token);
    expect(out.status).toBe(204);
    for (const token of [ann.token, second]) {
      const me = await api.get('/api/users/me', token);
      expect(me.status).toBe(401);
      expect(me.body.detail).toMatch(/Token revoked: log in again/);
    }
    expect((await api.post('/api/auth/logout', undefined, ann.token)).status).toBe(401);
    expect((await api.get('/api/users/me', bob.token)).status).toBe(200);
    const again = await login(ann.email, PASSWORD);
    expect(again.status).toBe(200);
    expect((await api.get('/api/users/me', again.body.token)).body.id).toBe(ann.id);
  });

  it('treats a token signed before token versions existed (no ver claim) as version 0: it works until the user signs out', async () => {
    const c = await api.registerCustomer();
    const legacy = await shop.runtime.tokens.issue({ id: c.id, role: 'customer' });
    expect((await api.get('/api/users/me', legacy)).status).toBe(200);
    expect((await api.post('/api/auth/logout', undefined, c.token)).status).toBe(204);
    expect((await api.get('/api/users/me', legacy)).status).toBe(401);
  });

  it("applies a role change to tokens already issued: a demoted admin's token is refused on admin routes at once", async () => {
    const c = await api.registerCustomer();
    const setRole = async (role: string) => expect(await writeIn(shop, 'user', sql`UPDATE users SET role = ${role} WHERE id = ${c.id}`)).toBe(1);
    await setRole('admin');
    const adminToken = (await login(c.email, PASSWORD)).body.token as string;
    expect((await api.get('/api/admin/dead-letters', adminToken)).status).toBe(200);
    await setRole('customer');
    expect((await api.get('/api/admin/dead-letters', adminToken)).status).toBe(403);
    expect((await api.get('/api/users/me', adminToken)).body.role).toBe('customer');
  });
});

describe('user: password change', () => {
  const change = (token: string, currentPassword: string, newPassword: string, address?: string) =>
    api.post('/api/users/me/password', { currentPassword, newPassword }, token, address ? from(address) : {});

  it('answers 200 with a new token; every older token stops working and only the new password signs in', async () => {
    const c = await api.registerCustomer();
    const other = (await login(c.email, PASSWORD)).body.token as string;
    const res = await change(c.token, PASSWORD, 'battery-staple-2');
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
    expect((await api.get('/api/users/me', c.token)).status).toBe(401);
    expect((await api.get('/api/users/me', other)).status).toBe(401);
    expect((await api.get('/api/users/me', res.body.token)).body.id).toBe(c.id);
    expect((await login(c.email, PASSWORD, '198.51.100.50')).status).toBe(401);
    expect((await login(c.email, 'battery-staple-2', '198.51.100.51')).status).toBe(200);
  });

  it('answers 401 to a wrong current password and changes nothing: the password and the token still work', async () => {
    const c = await api.registerCustomer();
    const res = await change(c.token, 'not-my-password', 'battery-staple-2');
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/current password is wrong/);
    expect((await api.get('/api/users/me', c.token)).status).toBe(200);
    expect((await login(c.email, 'battery-staple-2', '198.51.100.60')).status).toBe(401);
    expect((await login(c.email, PASSWORD, '198.51.100.61')).status).toBe(200);
  });

  it('throttles wrong current passwords like sign-ins: after 5 from one address, 429 even for the right one', async () => {
    const c = await api.registerCustomer();
    for (let i = 0; i < 5; i++) expect((await change(c.token, 'not-my-password', 'battery-staple-2', '203.0.113.70')).status).toBe(401);
    expect((await change(c.token, PASSWORD, 'battery-staple-2', '203.0.113.70')).status).toBe(429);
    expect((await login(c.email, PASSWORD, '203.0.113.70')).status).toBe(429);
    expect((await api.get('/api/users/me', c.token)).status).toBe(200);
    expect((await login(c.email, PASSWORD, '198.51.100.70')).status).toBe(200);
  });

  it('refuses a new password shorter than 8 characters with 400 naming the field, and keeps the old one', async () => {
    const c = await api.registerCustomer();
    const res = await change(c.token, PASSWORD, 'short');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.newPassword');
    expect((await api.get('/api/users/me', c.token)).status).toBe(200);
    expect((await login(c.email, PASSWORD, '198.51.100.80')).status).toBe(200);
  });
});

describe('user: password hashing under a burst, at the production cost', () => {
  let costly: TestShop;
  let costlyApi: ShopClient;

  beforeAll(async () => {
    costly = await startTestShop({ env: { SCRYPT_COST: '17' } });
    costlyApi = new ShopClient(costly.url);
  });
  afterAll(() => costly?.stop());

  it('checks at most a few passwords at once and answers 503 at once to a burst beyond what it can check in about two seconds', async () => {
    const customer = await costlyApi.registerCustomer();
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
      const res = await costlyApi.post('/api/auth/login', { email: unknownEmail('burst', i), password: 'wrong-password' });
      return { status: res.status, detail: res.body.detail as string, ms: Date.now() - started };
    }));
    const busy = burst.filter((a) => a.status === 503);
    const checked = burst.filter((a) => a.status === 401);
    expect(busy.length + checked.length).toBe(24);
    expect(busy.length).toBeGreaterThan(0);
    expect(checked.length).toBeGreaterThanOrEqual(2);
    expect(busy[0].detail).toMatch(/busy checking other passwords/);
    // A refused request is answered without waiting for the hashes in progress.
    expect(Math.max(...busy.map((a) => a.ms))).toBeLessThan(Math.min(...checked.map((a) => a.ms)));
    expect((await costlyApi.post('/api/auth/login', { email: customer.email, password: PASSWORD })).status).toBe(200);
  }, 120_000);
});
