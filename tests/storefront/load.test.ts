import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBoutiqueLoad, TASK_WEIGHTS, type LoadResult } from '../../tools/boutique-load.ts';
import { eventually } from '../support/eventually.ts';
import { ADMIN } from '../support/env.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';

/**
 * A short run of Online Boutique's load generator, in its task proportions, with many cookie
 * sessions at once and no pause between tasks. Zero error answers, and every checkout a paid order.
 */
let shop: TestShop;
let load: LoadResult;

beforeAll(async () => {
  shop = await startTestShop({ env: { SEED_DEMO: 'boutique' } });
  await shop.settled();
  load = await runBoutiqueLoad({ base: shop.url, visitors: 24, tasksPerVisitor: 40, seed: 20261202 });
}, 120_000);
afterAll(() => shop?.stop());

describe("Online Boutique's load, in its proportions", () => {
  it('answers every request without an error status', () => {
    expect(load.errors).toEqual([]);
    expect(load.requests).toBeGreaterThan(24 * 40);
  });

  it('ran the tasks in the locustfile\'s proportions', () => {
    const runs = Object.values(load.tasks).reduce((a, b) => a + b, 0);
    const weights = Object.values(TASK_WEIGHTS).reduce((a, b) => a + b, 0);
    expect(runs).toBe(24 * 40);
    for (const [task, weight] of Object.entries(TASK_WEIGHTS)) {
      const share = load.tasks[task as keyof typeof TASK_WEIGHTS] / runs;
      expect(share, task).toBeGreaterThan((weight / weights) * 0.6);
      expect(share, task).toBeLessThan((weight / weights) * 1.4);
    }
  });

  it('turned every checkout into an order that got paid, each once', async () => {
    expect(load.orderIds.length).toBe(load.tasks.checkout);
    expect(new Set(load.orderIds).size).toBe(load.orderIds.length);
    const token = (await request(shop.url).post('/api/auth/login').send(ADMIN)).body.token as string;
    const statusOf = async (id: string) => (await request(shop.url).get(`/api/admin/orders/${id}`).set('Authorization', `Bearer ${token}`)).body.status as string;
    await eventually(async () => (await Promise.all(load.orderIds.map(statusOf))).filter((s) => s !== 'paid'), (notPaid) => notPaid.length === 0, { timeoutMs: 30_000, what: 'every order paid' });
  }, 60_000);
});
