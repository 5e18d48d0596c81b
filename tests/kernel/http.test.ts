import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopClient } from '../support/client.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';

/**
 * The HTTP edge, against the real shop and the user module's routes: JSON only, validated without
 * coercion, errors as problem+json naming the bad fields, and no 500 for anything a client sends.
 */
let shop: TestShop;
let api: ShopClient;

const PASSWORD = 'correct-horse-1';
const uniqueEmail = (tag: string) => `${tag}-${Math.random().toString(36).slice(2)}@example.test`;
const fieldsOf = (body: { errors?: Array<{ path: string }> }) => (body.errors ?? []).map((e) => e.path);

function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
}

async function expectNoAccount(email: string): Promise<void> {
  const login = await api.post('/api/auth/login', { email, password: PASSWORD });
  expect(login.status, 'a rejected request must not have created the account').toBe(401);
}

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
});
afterAll(() => shop?.stop());

describe('HTTP edge: bodies', () => {
  it('answers malformed JSON with 400 problem+json', async () => {
    const email = uniqueEmail('malformed');
    const res = await api.http().post('/api/auth/register').set('Content-Type', 'application/json').send(`{"email": "${email}", "password": `);
    expectProblem(res, 400);
    await expectNoAccount(email);
  });

  it('answers a text/plain body with 415', async () => {
    const res = await api.http().post('/api/auth/register').set('Content-Type', 'text/plain').send('email=a@b.c');
    expectProblem(res, 415);
  });

  it('answers a body over the 100kb limit with 413', async () => {
    const email = uniqueEmail('huge');
    const res = await api.post('/api/auth/register', { email, password: PASSWORD, name: 'x'.repeat(150 * 1024) });
    expectProblem(res, 413);
    await expectNoAccount(email);
  });

  it('refuses a value of the wrong type instead of coercing it, naming the field', async () => {
    const c = await api.registerCustomer();
    const asString = await api.patch('/api/users/me', { preferences: { emailNotifications: 'false' } }, c.token);
    expectProblem(asString, 400);
    expect(fieldsOf(asString.body)).toEqual(['body.preferences.emailNotifications']);
    const asNumber = await api.patch('/api/users/me', { name: 12345 }, c.token);
    expectProblem(asNumber, 400);
    expect(fieldsOf(asNumber.body)).toEqual(['body.name']);
    const me = await api.get('/api/users/me', c.token);
    expect(me.body).toMatchObject({ name: 'Test Customer', preferences: { emailNotifications: true } });
  });

  it('refuses an unknown field with 400 naming it, and stores nothing', async () => {
    const email = uniqueEmail('unknown-field');
    const res = await api.post('/api/auth/register', { email, password: PASSWORD, name: 'Mallory', role: 'admin' });
    expectProblem(res, 400);
    expect(fieldsOf(res.body)).toEqual(['body.role']);
    await expectNoAccount(email);
    const plain = await api.post('/api/auth/register', { email, password: PASSWORD, name: 'Mallory' });
    expect(plain.status).toBe(201);
    expect(plain.body.user.role).toBe('customer');
  });

  it('refuses a __proto__ key as an unknown field rather than merging it', async () => {
    const email = uniqueEmail('proto');
    const raw = `{"email":"${email}","password":"${PASSWORD}","name":"Proto","__proto__":{"role":"admin"}}`;
    const res = await api.http().post('/api/auth/register').set('Content-Type', 'application/json').send(raw);
    expectProblem(res, 400);
    expect(fieldsOf(res.body)).toEqual(['body.__proto__']);
    await expectNoAccount(email);
  });

  it('refuses an operator object where a string is due (NoSQL-style injection) with 400', async () => {
    const res = await api.post('/api/auth/login', { email: { $ne: null }, password: { $gt: '' } });
    expectProblem(res, 400);
    expect(fieldsOf(res.body).toSorted()).toEqual(['body.email', 'body.password']);
  });
});

describe('HTTP edge: injection-looking input is only data', () => {
  it("stores and echoes SQL and markup in a name as plain text, in JSON, and the users table keeps working", async () => {
    const sql = "Robert'); DROP TABLE users; --";
    const markup = '<script>alert("x")</script>';
    const email = uniqueEmail('bobby');
    const reg = await api.post('/api/auth/register', { email, password: PASSWORD, name: sql });
    expect(reg.status).toBe(201);
    expect(reg.headers['content-type']).toMatch(/^application\/json/);
    expect(reg.body.user.name).toBe(sql);
    const patched = await api.patch('/api/users/me', { name: markup }, reg.body.token);
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe(markup);
    const me = await api.get('/api/users/me', reg.body.token);
    expect(me.headers['content-type']).toMatch(/^application\/json/);
    expect(me.body.name).toBe(markup);
    expect((await api.post('/api/auth/login', { email, password: PASSWORD })).status).toBe(200);
    await api.registerCustomer();
  });

  it("answers a login with SQL in the email like any unknown account: 401", async () => {
    const res = await api.post('/api/auth/login', { email: "' OR '1'='1' --", password: "' OR '1'='1' --" });
    expectProblem(res, 401);
  });
});

describe('HTTP edge: operations endpoints and conventions', () => {
  it('answers /healthz and /readyz with 200', async () => {
    expect((await api.get('/healthz')).status).toBe(200);
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', problems: [] });
  });

  it('serves Prometheus metrics including http_request_duration_seconds', async () => {
    const res = await api.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds');
  });

  it('serves an OpenAPI document that lists /api/auth/register', async () => {
    const res = await api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths).toHaveProperty(['/api/auth/register', 'post']);
  });

  it('echoes a well-formed X-Request-Id, replaces a malformed one, and quotes it in problems', async () => {
    const ok = await api.http().get('/healthz').set('X-Request-Id', 'trace-42.abc');
    expect(ok.headers['x-request-id']).toBe('trace-42.abc');
    const bad = await api.http().get('/healthz').set('X-Request-Id', 'has spaces <and> markup');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await api.http().get('/api/nowhere').set('X-Request-Id', 'trace-43');
    expect(problem.body.instance).toBe('trace-43');
  });

  it('answers an unknown route with 404 problem+json', async () => {
    expectProblem(await api.get('/api/no-such-thing'), 404);
    expectProblem(await api.post('/api/auth/no-such-thing', {}), 404);
  });

  it('answered none of the requests above with a 500', async () => {
    const metrics = (await api.get('/metrics')).text;
    const statuses = [...metrics.matchAll(/^http_request_duration_seconds_count\{[^}]*status="(\d+)"/gm)].map((m) => m[1]);
    expect(statuses).toEqual(expect.arrayContaining(['200', '201', '400', '401', '404', '413', '415']));
    expect(statuses.filter((s) => s.startsWith('5'))).toEqual([]);
  });
});
