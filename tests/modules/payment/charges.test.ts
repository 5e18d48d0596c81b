import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../../src/kernel/contract.ts';
import { paymentContract, type PaymentContract } from '../../../src/modules/payment/contract.ts';
import { TestGateway } from '../../../src/modules/payment/internal/test-gateway.ts';
import { ShopClient } from '../../support/client.ts';
import { Gate } from '../../support/order-neighbours.ts';
import { published } from '../../support/published.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let api: ShopClient;
let payment: Api<PaymentContract>;
let buyer: { id: string; token: string };

/** The built-in gateway's ledger: what the card processor itself recorded. */
const gatewayCharges = async (paymentId: string) => (await shop.runtime.containerOf('payment').get(TestGateway).ledger.charges()).filter((c) => c.idempotencyKey === paymentId);
const captures = async (paymentId: string) => (await gatewayCharges(paymentId)).filter((c) => c.status === 'captured');
const events = (type: string, orderId: string) => published(shop, 'payment', { type, key: orderId });

/** Requests the built-in gateway received, of every payment. */
const gatewayRequests = async () => (await shop.runtime.containerOf('payment').get(TestGateway).ledger.charges()).reduce((n, c) => n + c.requests, 0);

/** A charge of an order nobody voided: it settles as captured or declined. */
const charge = async (paymentToken: string, orderId = `order-${randomUUID()}`, amount = 4599) => {
  const answer = await payment.charge({ orderId, userId: buyer.id, amount, currency: 'USD', paymentToken });
  if (answer.status === 'cancelled') throw new Error(`order ${orderId} was voided`);
  return answer;
};

const paymentsOf = (orderId: string, token?: string) => api.get(`/api/payments?orderId=${orderId}`, token);

beforeAll(async () => {
  shop = await startTestShop();
  api = new ShopClient(shop.url);
  payment = shop.runtime.use(paymentContract);
  buyer = await api.registerCustomer();
});
afterAll(() => shop?.stop());

describe('payment: charging an order', () => {
  it('captures tok_visa on the first attempt and announces it', async () => {
    const orderId = `order-${randomUUID()}`;
    const answer = await charge('tok_visa', orderId);
    expect(answer.status).toBe('captured');
    expect(await captures(answer.paymentId)).toHaveLength(1);
    expect((await events('payment.captured', orderId)).map((e) => e.payload)).toEqual([{ orderId, paymentId: answer.paymentId, amount: 4599 }]);
    const res = await paymentsOf(orderId, buyer.token);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ id: answer.paymentId, orderId, amount: 4599, currency: 'USD', status: 'captured', attempts: 1 })]);
  });

  it('captures tok_visa once when the charge is asked five times at once', async () => {
    const orderId = `order-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 5 }, () => charge('tok_visa', orderId)));
    expect(new Set(answers.map((a) => `${a.status}/${a.paymentId}`))).toEqual(new Set([`captured/${answers[0].paymentId}`]));
    expect(await captures(answers[0].paymentId)).toHaveLength(1);
    expect(await events('payment.captured', orderId)).toHaveLength(1);
    const again = await charge('tok_visa', orderId);
    expect(again).toEqual(answers[0]);
  });

  it('captures tok_flaky after one retry with the same key: two attempts, one capture', async () => {
    const orderId = `order-${randomUUID()}`;
    const answer = await charge('tok_flaky', orderId);
    expect(answer.status).toBe('captured');
    expect(await gatewayCharges(answer.paymentId)).toEqual([expect.objectContaining({ status: 'captured', requests: 2 })]);
    expect((await paymentsOf(orderId, buyer.token)).body.items[0]).toMatchObject({ status: 'captured', attempts: 2 });
    expect(await events('payment.captured', orderId)).toHaveLength(1);
  });

  it('declines tok_chargeDeclined with card_declined, captures nothing, and answers the same when asked again', async () => {
    const orderId = `order-${randomUUID()}`;
    const answer = await charge('tok_chargeDeclined', orderId);
    expect(answer).toMatchObject({ status: 'declined', reason: 'card_declined' });
    expect(await captures(answer.paymentId)).toHaveLength(0);
    expect(await charge('tok_chargeDeclined', orderId)).toEqual(answer);
    expect((await paymentsOf(orderId, buyer.token)).body.items[0]).toMatchObject({ status: 'declined', attempts: 1 });
    expect((await events('payment.declined', orderId)).map((e) => e.payload.reason)).toEqual(['card_declined']);
  });

  it('declines an unknown token with invalid_token', async () => {
    expect(await charge('tok_made_up')).toMatchObject({ status: 'declined', reason: 'invalid_token' });
  });

  it('refuses with a conflict to charge an order again with another amount', async () => {
    const orderId = `order-${randomUUID()}`;
    await charge('tok_visa', orderId, 1000);
    await expect(charge('tok_visa', orderId, 2000)).rejects.toMatchObject({ kind: 'conflict' });
  });
});

describe('payment: refunds', () => {
  it('refunds a captured order once, however often it is asked', async () => {
    const orderId = `order-${randomUUID()}`;
    const { paymentId } = await charge('tok_visa', orderId);
    const answers = await Promise.all([payment.refund({ orderId }), payment.refund({ orderId })]);
    expect(answers).toEqual([{ status: 'refunded' }, { status: 'refunded' }]);
    expect(await payment.refund({ orderId })).toEqual({ status: 'refunded' });
    const reference = (await captures(paymentId))[0].reference!;
    expect(await shop.runtime.containerOf('payment').get(TestGateway).ledger.refunds(reference)).toEqual([expect.objectContaining({ amount: 4599 })]);
    expect((await events('payment.refunded', orderId)).map((e) => e.payload)).toEqual([{ orderId, paymentId, amount: 4599 }]);
    expect((await paymentsOf(orderId, buyer.token)).body.items[0].status).toBe('refunded');
  });

  it('will not answer a refund while the charge is still in flight, so no capture is left behind a cancel', async () => {
    const orderId = `order-${randomUUID()}`;
    // The charge's first gateway request is held: its payment is open, its outcome not known yet.
    const gateway = shop.runtime.containerOf('payment').get(TestGateway);
    const gate = new Gate();
    const held = vi.spyOn(gateway, 'charge').mockImplementationOnce(async (...request) => {
      await gate.pass();
      return TestGateway.prototype.charge.apply(gateway, request);
    });
    const charging = charge('tok_flaky', orderId); // fails once, so it stays in flight through a retry
    try {
      await gate.reached;
      await expect(payment.refund({ orderId })).rejects.toMatchObject({ kind: 'unavailable' });
    } finally {
      gate.release();
    }
    const answer = await charging;
    held.mockRestore();
    expect(answer.status).toBe('captured');
    expect(await payment.refund({ orderId })).toEqual({ status: 'refunded' });
    expect(await events('payment.refunded', orderId)).toHaveLength(1);
  });

  it('refunds nothing for a declined or unknown order', async () => {
    const orderId = `order-${randomUUID()}`;
    await charge('tok_chargeDeclined', orderId);
    expect(await payment.refund({ orderId })).toEqual({ status: 'none' });
    expect(await payment.refund({ orderId: `order-${randomUUID()}` })).toEqual({ status: 'none' });
    expect(await events('payment.refunded', orderId)).toHaveLength(0);
  });
  it('takes no money for a charge that arrives after the order was refunded (a cancel overtook it), and says so', async () => {
    const orderId = `order-${randomUUID()}`;
    expect(await payment.refund({ orderId })).toEqual({ status: 'none' });
    const gatewayCallsBefore = await gatewayRequests();
    const answer = { orderId, userId: buyer.id, amount: 4599, currency: 'USD' as const, paymentToken: 'tok_visa' };
    expect(await payment.charge(answer)).toEqual({ status: 'cancelled' });
    expect(await payment.charge(answer)).toEqual({ status: 'cancelled' });
    expect(await gatewayRequests()).toBe(gatewayCallsBefore);
    expect(await events('payment.captured', orderId)).toHaveLength(0);
    expect((await paymentsOf(orderId, await api.adminToken())).body.items).toEqual([]);
    expect(await payment.refund({ orderId })).toEqual({ status: 'none' });
  });

});

describe('payment: the built-in test gateway', () => {
  const gateway = () => shop.runtime.containerOf('payment').get(TestGateway);
  const key = () => `key-${randomUUID()}`;

  it('answers a repeated idempotency key with its first outcome and reference, and captures anew only for a new key', async () => {
    const [first, second] = [key(), key()];
    const captured = await gateway().charge('tok_visa', 1000, first);
    expect(captured).toEqual({ outcome: 'captured', reference: expect.stringMatching(/^ch_/) });
    expect(await gateway().charge('tok_visa', 1000, first)).toEqual(captured);
    const other = await gateway().charge('tok_visa', 1000, second);
    expect(other).toEqual({ outcome: 'captured', reference: expect.stringMatching(/^ch_/) });
    expect(other.reference).not.toBe(captured.reference);
    const declined = await gateway().charge('tok_chargeDeclined', 1000, key());
    expect(declined).toEqual({ outcome: 'declined', reason: 'card_declined' });
  });

  it('captures tok_flaky on the retry of its key, and answers that capture to every later retry', async () => {
    const flaky = key();
    expect(await gateway().charge('tok_flaky', 1000, flaky)).toEqual({ outcome: 'transient', reason: 'processor_unavailable' });
    const captured = await gateway().charge('tok_flaky', 1000, flaky);
    expect(captured).toEqual({ outcome: 'captured', reference: expect.stringMatching(/^ch_/) });
    expect(await gateway().charge('tok_flaky', 1000, flaky)).toEqual(captured);
  });

  it('refuses with amount_exceeds_charge to refund more than was captured, at once or over several refunds', async () => {
    const { reference } = await gateway().charge('tok_visa', 1000, key());
    expect(await gateway().refund(reference!, 1001, key())).toEqual({ outcome: 'rejected', reason: 'amount_exceeds_charge' });
    const part = key();
    expect(await gateway().refund(reference!, 600, part)).toEqual({ outcome: 'refunded' });
    expect(await gateway().refund(reference!, 600, part)).toEqual({ outcome: 'refunded' });
    expect(await gateway().refund(reference!, 401, key())).toEqual({ outcome: 'rejected', reason: 'amount_exceeds_charge' });
    expect(await gateway().refund(reference!, 400, key())).toEqual({ outcome: 'refunded' });
    expect(await gateway().refund(reference!, 1, key())).toEqual({ outcome: 'rejected', reason: 'amount_exceeds_charge' });
    expect((await gateway().ledger.refunds(reference!)).map((r) => r.amount).sort((a, b) => a - b)).toEqual([400, 600]);
    expect(await gateway().refund('ch_unknown', 1, key())).toEqual({ outcome: 'rejected', reason: 'unknown_charge' });
  });
});

describe('payment: who sees payments', () => {
  it('shows an order\'s payments to its owner and to an admin, and 404 to anyone else', async () => {
    const orderId = `order-${randomUUID()}`;
    await charge('tok_visa', orderId);
    const stranger = await api.registerCustomer();
    expect((await paymentsOf(orderId, buyer.token)).status).toBe(200);
    expect((await paymentsOf(orderId, await api.adminToken())).body.items).toHaveLength(1);
    const theirs = await paymentsOf(orderId, stranger.token);
    expect(theirs.status).toBe(404);
    expect(theirs.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('answers 404 to a customer for an order without payments, and an empty list to an admin', async () => {
    const orderId = `order-${randomUUID()}`;
    expect((await paymentsOf(orderId, buyer.token)).status).toBe(404);
    const admin = await paymentsOf(orderId, await api.adminToken());
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual({ items: [] });
  });

  it('answers 401 without a token and 400 without orderId or with an unknown parameter', async () => {
    expect((await paymentsOf('order-1')).status).toBe(401);
    expect((await api.get('/api/payments', buyer.token)).status).toBe(400);
    expect((await api.get('/api/payments?orderId=', buyer.token)).status).toBe(400);
    expect((await api.get('/api/payments?orderId=o1&colour=red', buyer.token)).status).toBe(400);
  });
});
