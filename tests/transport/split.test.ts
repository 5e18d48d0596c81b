import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { startShop } from '../../src/app/start.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { SHARED_NATS_URL } from '../../tools/nats-namespaces.ts';
import type { TopologySpec } from '../../tools/topology/spec.ts';
import { testEnv } from '../support/env.ts';
import { eventually } from '../support/eventually.ts';
import { startTopology, type TestTopology } from '../support/processes.ts';

/**
 * The user module in one process, the HTTP gateway (hosting no module) in another, over the
 * shared NATS server. Modules registered later run in a third process so the shop stays whole.
 */
const others = moduleNames.filter((m) => m !== 'user');
const split: TopologySpec = {
  processes: [
    { name: 'gateway', modules: [], gateway: true },
    { name: 'user', modules: ['user'] },
    ...(others.length ? [{ name: 'others', modules: others }] : []),
  ],
};

let shop: TestTopology;

beforeAll(async () => {
  shop = await startTopology(split);
}, 180_000); // three Node processes starting at once on a busy 2-core machine
afterAll(() => shop?.stop());

describe('split processes: user module behind a gateway over NATS', () => {
  it('registers, signs in and reads the profile through the gateway', async () => {
    const api = shop.client;
    const c = await api.registerCustomer('Split Customer');
    const login = await api.post('/api/auth/login', { email: c.email, password: 'correct-horse-1' });
    expect(login.status).toBe(200);
    const me = await api.get('/api/users/me', login.body.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: c.id, email: c.email, name: 'Split Customer' });
  });

  it('carries typed errors from the user process to HTTP problems at the gateway', async () => {
    const c = await shop.client.registerCustomer();
    const again = await shop.client.post('/api/auth/register', { email: c.email, password: 'correct-horse-1', name: 'Twin' });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    const wrong = await shop.client.post('/api/auth/login', { email: c.email, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
  });

  it('passes --check-topology: a further gateway finds every module answering', async () => {
    const config = loadConfig(testEnv(shop.dataDir, { NATS_URL: SHARED_NATS_URL, NATS_NAMESPACE: shop.namespace }));
    const gateway = await startShop(config, { hosted: [], gateway: true, checkTopology: true }, createLogger('silent'));
    try {
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  it('answers 503 to calls for the user module while its process is down (SIGKILL), stays in service, and recovers', async () => {
    const c = await shop.client.registerCustomer();
    const user = shop.processes.get('user')!;
    await user.kill('SIGKILL');
    const down = await shop.client.post('/api/auth/login', { email: c.email, password: 'correct-horse-1' });
    expect(down.status).toBe(503);
    expect(down.headers['content-type']).toMatch(/application\/problem\+json/);
    // The gateway stays ready (browsing does not need the user module) and says what is missing.
    const degraded = await shop.client.get('/readyz');
    expect([degraded.status, degraded.body.status, degraded.body.unreachable]).toEqual([200, 'degraded', ['user']]);
    expect((await shop.client.get('/api/categories')).status).toBe(200);

    await user.restart();
    await eventually(() => shop.client.get('/readyz').then((r) => r.body.status), (s) => s === 'ready', { what: 'every module answering again' });
    const back = await shop.client.post('/api/auth/login', { email: c.email, password: 'correct-horse-1' });
    expect(back.status).toBe(200); // the account survived: the user process keeps its own database
  }, 120_000); // includes starting a Node process again
});
