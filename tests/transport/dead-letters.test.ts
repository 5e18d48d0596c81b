import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Assortment } from '../support/assortment.ts';
import { ShopClient } from '../support/client.ts';
import { eventually } from '../support/eventually.ts';
import { parseMetrics, valueOf } from '../support/prometheus.ts';
import { START_TIMEOUT_MS, startOnce, startTopology, type TestTopology } from '../support/processes.ts';

/**
 * The back office's dead letters are the whole shop's, whichever process hosts which module: the
 * gateway here hosts no module at all, and notification runs in a process of its own. Its low-stock
 * handler fails for real: the notification database refuses new notices (a trigger, as a botched
 * migration or a maintenance lock would), until the event is a dead letter. The operator sees it at
 * the gateway, lifts the lock, and the retry asked at the gateway delivers the notice.
 */
const shop = startOnce(
  async () =>
    startTopology(
      {
        processes: [
          { name: 'gateway', modules: [], gateway: true },
          { name: 'shop', modules: ['user', 'catalog', 'search', 'cart', 'wishlist', 'order-taking', 'order-processing', 'payment', 'logistics', 'warehouse', 'recommendation'] },
          { name: 'notification', modules: ['notification'] },
        ],
      },
      { env: { EVENT_MAX_ATTEMPTS: '2', EVENT_RETRY_BASE_MS: '20' } },
    ),
  (started: TestTopology) => started.stop(),
);

/** Runs SQL on the notification process's own database file, beside the running process. */
function onNotificationDb(statement: string): void {
  const db = new Database(join(shop().dataDir, 'notification.db'));
  try {
    db.pragma('busy_timeout = 5000');
    db.exec(statement);
  } finally {
    db.close();
  }
}

interface Listed {
  module: string;
  seq: number;
  eventId: string;
  type: string;
  handler: string;
  attempts: number;
  lastError: string | null;
  at: string;
}

const api = (): ShopClient => shop().client;
let adminSession: Promise<string> | undefined;
/** Signed in once: the checks below poll, and every sign-in costs a password hash. */
const adminToken = () => (adminSession ??= api().adminToken());
/** The /metrics of one process of the topology. */
const metricsOf = async (process: string) => parseMetrics((await new ShopClient(shop().processes.get(process)!.url).get('/metrics')).text);
const deadLetters = async () => {
  const res = await api().get('/api/admin/dead-letters', await adminToken());
  expect(res.status).toBe(200);
  return res.body as { items: Listed[]; unreachable: string[] };
};
const lowStockNotices = async (name: string) =>
  (await api().get('/api/notifications?limit=100', await adminToken())).body.items.filter((n: { title: string }) => n.title === `Low stock: ${name}`);

describe('dead letters across processes, through the gateway', () => {
  it('lists a handler failure of a module in another process, and applies it once retried at the gateway', async () => {
    onNotificationDb(`CREATE TRIGGER frozen BEFORE INSERT ON notifications BEGIN SELECT RAISE(ABORT, 'notices are frozen for maintenance'); END`);
    const assortment = await Assortment.open(api());
    const category = await assortment.category('Mail');
    const product = await assortment.product({ name: 'Refused Kettle', categoryId: category.id, price: 1000 });
    await assortment.stock(product.id, 10);
    await assortment.stock(product.id, 1);

    const { items } = await eventually(deadLetters, (d) => d.items.some((l) => l.module === 'notification'), { timeoutMs: 30_000, what: 'the email to become a dead letter' });
    const letter = items.find((l) => l.module === 'notification')!;
    expect(letter).toMatchObject({ type: 'warehouse.low_stock', handler: 'AlertAdminsOfLowStock', attempts: 2, lastError: expect.stringContaining('notices are frozen for maintenance') });
    expect(Date.now() - Date.parse(letter.at)).toBeLessThan(60_000);
    expect((await deadLetters()).unreachable).toEqual([]);
    expect(await lowStockNotices('Refused Kettle')).toEqual([]);
    // The process that hosts notification reports its dead letter; the gateway's calls went out over NATS.
    expect(valueOf(await metricsOf('notification'), 'dead_letters', { module: 'notification' })).toBe(1);
    expect(valueOf(await metricsOf('notification'), 'event_handler_duration_seconds_count', { module: 'notification', handler: 'AlertAdminsOfLowStock', outcome: 'error' })).toBe(2);
    const gateway = await metricsOf('gateway');
    expect(valueOf(gateway, 'calls_total', { module: 'catalog', method: 'createProduct', side: 'caller', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(gateway, 'transport_connected', { transport: 'nats' })).toBe(1);

    onNotificationDb('DROP TRIGGER frozen');
    const admin = await adminToken();
    const retried = await api().post(`/api/admin/dead-letters/notification/${letter.seq}/retry`, undefined, admin);
    expect(retried.status).toBe(200);
    await eventually(() => lowStockNotices('Refused Kettle'), (n) => n.length > 0, { timeoutMs: 30_000, what: 'the retried notice' });
    expect(await lowStockNotices('Refused Kettle')).toHaveLength(1);
    expect((await deadLetters()).items.filter((l) => l.module === 'notification')).toEqual([]);
    expect(valueOf(await metricsOf('notification'), 'dead_letters', { module: 'notification' })).toBe(0);
    expect((await api().post(`/api/admin/dead-letters/notification/${letter.seq}/retry`, undefined, admin)).status).toBe(404);
  });

  it('answers 404 for an unknown module, 403 to a customer and 401 without a token', async () => {
    const admin = await adminToken();
    expect((await api().post('/api/admin/dead-letters/no-such-module/1/retry', undefined, admin)).status).toBe(404);
    const customer = await api().registerCustomer();
    expect((await api().get('/api/admin/dead-letters', customer.token)).status).toBe(403);
    expect((await api().get('/api/admin/dead-letters')).status).toBe(401);
  });
}, START_TIMEOUT_MS);
