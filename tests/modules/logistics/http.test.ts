import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../src/kernel/contract.ts';
import { logisticsContract, type LogisticsContract } from '../../../src/modules/logistics/contract.ts';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { CARRIER_SECRET } from '../../support/env.ts';
import { published } from '../../support/published.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';
import { expectNothingChangedBy } from '../../support/unchanged.ts';

let shop: TestShop;
let api: ShopClient;
let shelf: Assortment;
let logistics: Api<LogisticsContract>;
let owner: { id: string; token: string };
let categoryId: string;

const product = async (weightGrams: number) => (await shelf.product({ name: 'Cast Iron Pan', categoryId, price: 3999, weightGrams })).id;
const quote = (items: Array<{ productId: string; quantity: number }>, country: string) =>
  api.post('/api/shipping/quotes', { items, address: { country, postalCode: '10115' } });
const options = (res: { body: { options: unknown } }) => res.body.options;

/** Books a shipment as the order flow does, for an order of `owner`. */
async function shipment(): Promise<{ trackingNumber: string; orderId: string }> {
  const orderId = `order-${randomUUID()}`;
  const booked = await logistics.createShipment({ orderId, userId: owner.id, method: 'standard', address: { country: 'US', postalCode: '94103' }, items: [{ productId: 'p-1', quantity: 1 }] });
  return { trackingNumber: booked.trackingNumber, orderId };
}

const sign = (raw: string, secret = CARRIER_SECRET) => createHmac('sha256', secret).update(raw).digest('hex');
/** Sends a carrier webhook with exactly these bytes; signed with the shop's secret unless told otherwise. */
function carrierSays(raw: string, signature: string | null = sign(raw)) {
  const req = api.http().post('/api/logistics/carrier-events').set('Content-Type', 'application/json');
  return (signature === null ? req : req.set('X-Carrier-Signature', signature)).send(raw);
}
const report = (trackingNumber: string, status: string, at = new Date().toISOString()) => JSON.stringify({ trackingNumber, status, at });
const track = (trackingNumber: string, token = owner.token) => api.get(`/api/shipments/${trackingNumber}`, token);
const statusesOf = async (trackingNumber: string) => (await track(trackingNumber)).body.events.map((e: { status: string }) => e.status);

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  shelf = await Assortment.open(api);
  logistics = shop.runtime.use(logisticsContract);
  owner = await api.registerCustomer();
  categoryId = (await shelf.category('Cookware')).id;
});
afterAll(() => shop?.stop());

describe('logistics: shipping quotes', () => {
  it('prices 500 g to the US as one step: standard 5.98 in 5 days, express 16.98 in 2', async () => {
    const res = await quote([{ productId: await product(250), quantity: 2 }], 'US');
    expect(res.status).toBe(200);
    expect(options(res)).toEqual([
      { method: 'standard', cost: 598, currency: 'USD', etaDays: 5 },
      { method: 'express', cost: 1698, currency: 'USD', etaDays: 2 },
    ]);
  });

  it('counts every started 500 g: 501 g to Canada is two steps of the near zone', async () => {
    const res = await quote([{ productId: await product(501), quantity: 1 }], 'CA');
    expect(options(res)).toEqual([
      { method: 'standard', cost: 999 + 2 * 199, currency: 'USD', etaDays: 8 },
      { method: 'express', cost: 2499 + 2 * 349, currency: 'USD', etaDays: 3 },
    ]);
  });

  it('adds up the weight of every line: 1.2 kg to Mexico and to Germany', async () => {
    const items = [{ productId: await product(400), quantity: 2 }, { productId: await product(400), quantity: 1 }];
    expect(options(await quote(items, 'MX'))).toEqual([
      { method: 'standard', cost: 999 + 3 * 199, currency: 'USD', etaDays: 8 },
      { method: 'express', cost: 2499 + 3 * 349, currency: 'USD', etaDays: 3 },
    ]);
    expect(options(await quote(items, 'DE'))).toEqual([
      { method: 'standard', cost: 1999 + 3 * 399, currency: 'USD', etaDays: 14 },
      { method: 'express', cost: 4999 + 3 * 599, currency: 'USD', etaDays: 5 },
    ]);
  });

  it('charges only the base for weightless items', async () => {
    const res = await quote([{ productId: await product(0), quantity: 3 }], 'US');
    expect(options(res)).toEqual([expect.objectContaining({ cost: 499 }), expect.objectContaining({ cost: 1499 })]);
  });

  it('refuses with 422 naming the money limit a quote that would cost more (20 lines of 99 one-tonne units)', async () => {
    const anvil = await product(1_000_000);
    const res = await quote(Array.from({ length: 20 }, () => ({ productId: anvil, quantity: 99 })), 'DE');
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/money limit of 1,000,000,000 cents/);
    expect((await quote([{ productId: anvil, quantity: 99 }], 'DE')).status).toBe(200);
  });

  it('answers 404 when an item is not in the catalog', async () => {
    const res = await quote([{ productId: await product(100), quantity: 1 }, { productId: 'no-such-product', quantity: 1 }], 'US');
    expect(res.status).toBe(404);
  });

  it('answers 400 for a quantity sent as text, no items, a lowercase country or an unknown field', async () => {
    const productId = await product(100);
    const bodies = [
      { items: [{ productId, quantity: '1' }], address: { country: 'US', postalCode: '1' } },
      { items: [], address: { country: 'US', postalCode: '1' } },
      { items: [{ productId, quantity: 1 }], address: { country: 'us', postalCode: '1' } },
      { items: [{ productId, quantity: 1 }], address: { country: 'US', postalCode: '1' }, coupon: 'FREE' },
    ];
    for (const body of bodies) expect((await api.post('/api/shipping/quotes', body)).status, JSON.stringify(body)).toBe(400);
  });
});

describe('logistics: shipments', () => {
  it('books one shipment per order with a CLV tracking number, however often it is asked', async () => {
    const { trackingNumber, orderId } = await shipment();
    expect(trackingNumber).toMatch(/^CLV[A-Z0-9]{12}$/);
    const again = await logistics.createShipment({ orderId, userId: owner.id, method: 'standard', address: { country: 'US', postalCode: '94103' }, items: [{ productId: 'p-1', quantity: 1 }] });
    expect(again.trackingNumber).toBe(trackingNumber);
    expect(await published(shop, 'logistics', { type: 'logistics.shipment_created', key: orderId })).toHaveLength(1);
  });

  it('shows a shipment to its owner and to an admin, 404 to another customer and 401 without a token', async () => {
    const { trackingNumber, orderId } = await shipment();
    const mine = await track(trackingNumber);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ trackingNumber, orderId, status: 'created', events: [{ status: 'created', at: expect.any(String) }] });
    expect((await track(trackingNumber, await api.adminToken())).status).toBe(200);
    expect((await track(trackingNumber, (await api.registerCustomer()).token)).status).toBe(404);
    expect((await api.get(`/api/shipments/${trackingNumber}`)).status).toBe(401);
    expect((await track('CLV000000000000')).status).toBe(404);
  });

  it('cancels a shipment still waiting for the carrier, and refuses once it moved', async () => {
    const waiting = await shipment();
    expect(await logistics.cancelShipment({ orderId: waiting.orderId })).toEqual({ status: 'cancelled' });
    expect(await logistics.cancelShipment({ orderId: waiting.orderId })).toEqual({ status: 'cancelled' });
    expect(await logistics.cancelShipment({ orderId: `order-${randomUUID()}` })).toEqual({ status: 'none' });
    const moving = await shipment();
    expect((await carrierSays(report(moving.trackingNumber, 'in_transit'))).status).toBe(204);
    await expect(logistics.cancelShipment({ orderId: moving.orderId })).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('refuses to book a shipment for an order whose shipment was cancelled before it was booked (a cancel overtook it)', async () => {
    const orderId = `order-${randomUUID()}`;
    expect(await logistics.cancelShipment({ orderId })).toEqual({ status: 'none' });
    const booking = { orderId, userId: owner.id, method: 'standard' as const, address: { country: 'US', postalCode: '94103' }, items: [{ productId: 'p-1', quantity: 1 }] };
    await expect(logistics.createShipment(booking)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(logistics.createShipment(booking)).rejects.toMatchObject({ kind: 'conflict' });
    expect(await published(shop, 'logistics', { type: 'logistics.shipment_created', key: orderId })).toHaveLength(0);
    expect(await logistics.cancelShipment({ orderId })).toEqual({ status: 'none' });
  });
});

describe('logistics: the carrier webhook', () => {
  it('moves a shipment to in_transit and delivered on signed reports (204) and announces each step', async () => {
    const { trackingNumber, orderId } = await shipment();
    const at = '2030-01-02T03:04:05.000Z';
    expect((await carrierSays(report(trackingNumber, 'in_transit', at))).status).toBe(204);
    expect((await track(trackingNumber)).body).toMatchObject({ status: 'in_transit', events: [{ status: 'created' }, { status: 'in_transit', at }] });
    expect((await carrierSays(report(trackingNumber, 'delivered'))).status).toBe(204);
    expect((await track(trackingNumber)).body.status).toBe('delivered');
    expect((await published(shop, 'logistics', { key: orderId })).map((e) => e.type)).toEqual([
      'logistics.shipment_created',
      'logistics.shipment_in_transit',
      'logistics.shipment_delivered',
    ]);
    expect((await published(shop, 'logistics', { type: 'logistics.shipment_in_transit', key: orderId }))[0].payload).toEqual({ orderId, trackingNumber, at });
  });

  it('answers 401 to a report with a wrong signature, another secret\'s signature or none, and changes nothing', async () => {
    const { trackingNumber } = await shipment();
    const raw = report(trackingNumber, 'in_transit');
    for (const signature of ['0'.repeat(64), sign(raw, 'another-secret-entirely'), sign(raw).toUpperCase(), 'short', 'x'.repeat(500), null]) {
      expect((await carrierSays(raw, signature)).status, String(signature)).toBe(401);
    }
    expect((await track(trackingNumber)).body.status).toBe('created');
  });

  it('answers 401 to an unsigned or wrongly signed body over 10 kB, 400 to a signed one, and changes nothing', async () => {
    const { trackingNumber, orderId } = await shipment();
    const raw = JSON.stringify({ trackingNumber, status: 'in_transit', at: new Date().toISOString(), note: 'x'.repeat(11_000) });
    for (const signature of [null, sign(raw, 'another-secret-entirely'), 'x'.repeat(500)]) {
      expect((await carrierSays(raw, signature)).status, String(signature).slice(0, 20)).toBe(401);
    }
    expect([400, 413]).toContain((await carrierSays(raw)).status);
    expect(await statusesOf(trackingNumber)).toEqual(['created']);
    expect(await published(shop, 'logistics', { type: 'logistics.shipment_in_transit', key: orderId })).toEqual([]);
  });

  it('answers 401, not 400, to an unsigned body that is not even JSON: the signature is checked before anything reads it', async () => {
    for (const raw of ['{"trackingNumber": ', 'not json at all', '']) {
      expect((await carrierSays(raw, null)).status, JSON.stringify(raw)).toBe(401);
      expect((await carrierSays(raw, '0'.repeat(64))).status, JSON.stringify(raw)).toBe(401);
    }
    expect((await carrierSays('{"trackingNumber": ')).status).toBe(400);
  });

  it('checks the signature over the exact bytes sent, not over a re-serialisation', async () => {
    const { trackingNumber } = await shipment();
    const raw = `{ "at" : "2030-01-02T03:04:05Z",\n  "status":"in_transit", "trackingNumber": "${trackingNumber}" }`;
    expect((await carrierSays(raw)).status).toBe(204);
    expect((await carrierSays(report(trackingNumber, 'delivered'), sign(raw))).status).toBe(401);
  });

  it('accepts a replay harmlessly: 204, one history entry, one event', async () => {
    const { trackingNumber, orderId } = await shipment();
    const raw = report(trackingNumber, 'in_transit');
    for (let i = 0; i < 3; i++) expect((await carrierSays(raw)).status).toBe(204);
    expect(await statusesOf(trackingNumber)).toEqual(['created', 'in_transit']);
    expect(await published(shop, 'logistics', { type: 'logistics.shipment_in_transit', key: orderId })).toHaveLength(1);
  });

  it('accepts and ignores a report that would move a shipment back', async () => {
    const { trackingNumber, orderId } = await shipment();
    expect((await carrierSays(report(trackingNumber, 'in_transit'))).status).toBe(204);
    expect((await carrierSays(report(trackingNumber, 'delivered'))).status).toBe(204);
    expect((await carrierSays(report(trackingNumber, 'in_transit'))).status).toBe(204);
    expect((await track(trackingNumber)).body.status).toBe('delivered');
    expect(await statusesOf(trackingNumber)).toEqual(['created', 'in_transit', 'delivered']);
    expect(await published(shop, 'logistics', { type: 'logistics.shipment_in_transit', key: orderId })).toHaveLength(1);
  });

  it('records the missed in_transit step when the first report is delivered', async () => {
    const { trackingNumber } = await shipment();
    expect((await carrierSays(report(trackingNumber, 'delivered'))).status).toBe(204);
    expect(await statusesOf(trackingNumber)).toEqual(['created', 'in_transit', 'delivered']);
  });

  it('answers 404 to a signed report about an unknown tracking number, and announces nothing', async () => {
    await expectNothingChangedBy(shop, { announced: () => published(shop, 'logistics') }, async () => {
      expect((await carrierSays(report('CLVUNKNOWN00000', 'in_transit'))).status).toBe(404);
    });
  });

  it('answers 400 to a signed report that is not a valid carrier event', async () => {
    const { trackingNumber } = await shipment();
    const bad = [
      report(trackingNumber, 'lost'),
      JSON.stringify({ trackingNumber, status: 'in_transit' }),
      JSON.stringify({ trackingNumber, status: 'in_transit', at: 'yesterday' }),
      JSON.stringify({ trackingNumber, status: 'in_transit', at: new Date().toISOString(), extra: 1 }),
      '[]',
    ];
    for (const raw of bad) expect((await carrierSays(raw)).status, raw).toBe(400);
    expect((await carrierSays('{"trackingNumber": ', sign('{"trackingNumber": '))).status).toBe(400);
    expect((await track(trackingNumber)).body.status).toBe('created');
  });
});
