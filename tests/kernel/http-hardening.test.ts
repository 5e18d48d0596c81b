import { gzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, defineContract } from '../../src/kernel/contract.ts';
import { AppError } from '../../src/kernel/errors.ts';
import { defineRoutes } from '../../src/kernel/http/routes.ts';
import { defineModule, provide } from '../../src/kernel/module.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { ShopClient } from '../support/client.ts';
import { RECORDS_MIGRATIONS } from '../support/runtime.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';

/**
 * What an outside security sweep checks at the HTTP edge: no internal detail in any answer, an
 * `errors` array on every 400, the headers browsers rely on, CORS closed unless opened, /metrics
 * closable, and one access line per request in the log.
 */
const SECRET_CAUSE = 'SELECT * FROM users -- connection string postgres://admin:hunter2@db';

const probeContract = defineContract(
  'probe',
  {
    crash: call({ input: z.strictObject({ how: z.enum(['plain', 'internal']) }), output: z.object({}) }),
    lookup: call({ input: z.strictObject({ id: z.string().max(10) }), output: z.object({ id: z.string() }) }),
  },
  {},
);

class Probe {
  crash({ how }: { how: 'plain' | 'internal' }): never {
    if (how === 'plain') throw new Error(SECRET_CAUSE);
    throw new AppError('internal', `Payload breaks its schema: ${SECRET_CAUSE}`);
  }

  lookup({ id }: { id: string }) {
    return { id };
  }
}

const probeModule = defineModule({
  contract: probeContract,
  migrations: RECORDS_MIGRATIONS,
  bindings: [provide(Probe, [])],
  implementation: Probe,
  routes: defineRoutes((r) => {
    r.post('/api/probe/crash/:how', { access: 'public', summary: 'fails', params: z.strictObject({ how: z.enum(['plain', 'internal']) }) },
      ({ params, use }) => use(probeContract).crash(params));
    // Passes the path parameter on unchecked: the call's own input check refuses it.
    r.get('/api/probe/items/:id', { access: 'public', summary: 'looks up' }, ({ params, use }) => use(probeContract).lookup({ id: (params as unknown as { id: string }).id }));
  }),
});

const logLines: Array<Record<string, unknown>> = [];
const logSink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  },
});

let probe: Runtime;
let shop: TestShop;
let api: ShopClient;

beforeAll(async () => {
  const env = { METRICS_TOKEN: 'metrics-token-0123456789', CORS_ORIGINS: 'https://shop.example' };
  ({ runtime: probe } = await startTestShop({ modules: [probeModule], listen: false, logger: pino({ level: 'info' }, logSink), dataDir: tempDataDir('cleave-edge-'), env }));
  shop = await startTestShop();
  api = new ShopClient(shop.url);
});
afterAll(async () => {
  await probe?.stop();
  await shop?.stop();
});

const probeHttp = () => request(probe.http!);

describe('errors name nothing internal', () => {
  it('answers an unexpected failure with a generic 500 carrying the request id, and logs its cause', async () => {
    for (const how of ['plain', 'internal']) {
      const res = await probeHttp().post(`/api/probe/crash/${how}`).set('X-Request-Id', `req-${how}`);
      expect(res.status).toBe(500);
      expect(res.body.detail).toMatch(/^Internal error/);
      expect(res.body.instance).toBe(`req-${how}`);
      expect(JSON.stringify(res.body)).not.toMatch(/hunter2|SELECT|schema|probe\.crash/);
      const logged = logLines.filter((l) => JSON.stringify(l).includes('hunter2'));
      expect(logged.length, `the cause of the ${how} failure is in the log`).toBeGreaterThan(0);
    }
  });

  it('refuses a path parameter the call refuses with a 400 that names the field, not the call', async () => {
    const res = await probeHttp().get(`/api/probe/items/${'x'.repeat(50)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['id']);
    expect(JSON.stringify(res.body)).not.toContain('probe.lookup');
  });
});

describe('every 400 carries an errors array', () => {
  const cases: Array<[string, () => request.Test]> = [
    ['malformed JSON', () => request(shop.url).post('/api/auth/login').set('Content-Type', 'application/json').send('{"email": ')],
    ['a gzip body that does not inflate', () => request(shop.url).post('/api/auth/login').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(Buffer.from('not gzip at all'))],
    ['bad percent-encoding in the path', () => request(shop.url).get('/api/products/%E0%A4%A')],
  ];
  for (const [what, send] of cases) {
    it(`for ${what}`, async () => {
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String), message: expect.any(String) })]));
    });
  }

  it('still reads a well-formed gzip body', async () => {
    const body = gzipSync(JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password-1' }));
    const res = await fetch(`${shop.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
    expect(res.status).toBe(401);
  });
});

describe('headers', () => {
  it('sends X-Content-Type-Options: nosniff on every answer, errors and operations included', async () => {
    for (const path of ['/api/products', '/healthz', '/readyz', '/no/such/route', '/openapi.json', '/']) {
      const res = await request(shop.url).get(path);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
    }
  });

  it('marks every answer carrying a token or personal data no-store, refusals included, and leaves public reads cacheable', async () => {
    const customer = await api.registerCustomer();
    const login = await api.post('/api/auth/login', { email: customer.email, password: 'correct-horse-1' });
    expect(login.headers['cache-control']).toBe('no-store');
    for (const path of ['/api/users/me', '/api/cart', '/api/orders', '/api/notifications', '/api/wishlist', '/api/payments?orderId=x']) {
      const res = await api.get(path, customer.token);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    const refused = await api.get('/api/users/me');
    expect([refused.status, refused.headers['cache-control']]).toEqual([401, 'no-store']);
    expect((await api.get('/api/products')).headers['cache-control']).toBeUndefined();
  });

  it('puts a Content-Security-Policy on /docs', async () => {
    const res = await request(shop.url).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  });

  it('points an API client at the root to the docs (a browser gets the storefront)', async () => {
    const res = await request(shop.url).get('/').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.links).toMatchObject({ docs: '/docs', openapi: '/openapi.json' });
  });
});

describe('CORS', () => {
  it('is closed by default: no Access-Control-Allow-Origin for any origin', async () => {
    const res = await request(shop.url).get('/api/products').set('Origin', 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(shop.url).options('/api/cart').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight for an origin listed in CORS_ORIGINS, and only for it', async () => {
    const allowed = await probeHttp().options('/api/probe/crash/plain').set('Origin', 'https://shop.example')
      .set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/i);
    const other = await probeHttp().options('/api/probe/crash/plain').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  it('answers 401 without the bearer token and the metrics with it', async () => {
    expect((await probeHttp().get('/metrics')).status).toBe(401);
    expect((await probeHttp().get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const ok = await probeHttp().get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789');
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('http_request_duration_seconds');
  });

  it('stays open when no METRICS_TOKEN is set', async () => {
    expect((await request(shop.url).get('/metrics')).status).toBe(200);
  });
});

describe('access log', () => {
  it('writes one info line per request: method, path, status, ms, request id (no query string)', async () => {
    await probeHttp().get('/healthz?email=someone@example.test').set('X-Request-Id', 'access-line-1');
    const lines = logLines.filter((l) => l.reqId === 'access-line-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, method: 'GET', path: '/healthz', status: 200, ms: expect.any(Number) });
    expect(JSON.stringify(lines[0])).not.toContain('someone@example.test');
  });
});
