import { randomInt, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../src/kernel/contract.ts';
import { createLogger } from '../../../src/kernel/logger.ts';
import { paymentContract, type Card, type PaymentContract } from '../../../src/modules/payment/contract.ts';
import paymentModule from '../../../src/modules/payment/index.ts';
import { TestGateway } from '../../../src/modules/payment/internal/test-gateway.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';

let shop: TestShop;
let payment: Api<PaymentContract>;
/** Every line the shop logged, at every level. */
const logged: string[] = [];

beforeAll(async () => {
  const destination = new Writable({ write: (line, _encoding, done) => done(void logged.push(String(line))) });
  shop = await startTestShop({ modules: [paymentModule], listen: false, logger: createLogger('trace', { destination }) });
  payment = shop.runtime.use(paymentContract);
});
afterAll(() => shop?.stop());

/** A number as Python Faker's `credit_card_number(card_type="visa")` makes one: 4, 14 random digits, the Luhn check digit. */
function fakerVisa(): string {
  const body = `4${Array.from({ length: 14 }, () => randomInt(10)).join('')}`;
  const sum = [...body].reverse().reduce((total, digit, i) => {
    const d = Number(digit) * (i % 2 === 0 ? 2 : 1);
    return total + (d > 9 ? d - 9 : d);
  }, 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const nextYear = new Date().getUTCFullYear() + 1;
const card = (changes: Partial<Card> = {}): Card => ({ number: fakerVisa(), expMonth: 1, expYear: nextYear, cvv: '123', ...changes });

/** A charge of a fresh order with `paymentToken`. */
const chargeWith = (paymentToken: string) =>
  payment.charge({ orderId: `order-${randomUUID()}`, userId: `user-${randomUUID()}`, amount: 1999, currency: 'USD', paymentToken });

describe('payment: tokenizing a test card', () => {
  it('gives tok_visa for Luhn-valid Visa numbers like Faker makes, with the brand and last four digits', async () => {
    for (let i = 0; i < 20; i++) {
      const number = fakerVisa();
      expect(await payment.tokenizeCard(card({ number }))).toEqual({ token: 'tok_visa', brand: 'visa', last4: number.slice(-4) });
    }
  });

  it('gives the documented tokens for the documented test numbers, ignoring spaces and dashes', async () => {
    expect(await payment.tokenizeCard(card({ number: '4000000000000002' }))).toMatchObject({ token: 'tok_chargeDeclined', last4: '0002' });
    expect(await payment.tokenizeCard(card({ number: '4000 0000-0000 0119' }))).toMatchObject({ token: 'tok_flaky', last4: '0119' });
    expect(await payment.tokenizeCard(card({ number: '4242-4242-4242-4242', cvv: '0123' }))).toEqual({ token: 'tok_visa', brand: 'visa', last4: '4242' });
  });

  it('names the brand from the number', async () => {
    expect((await payment.tokenizeCard(card({ number: '5555555555554444' }))).brand).toBe('mastercard');
    expect((await payment.tokenizeCard(card({ number: '2223003122003222' }))).brand).toBe('mastercard');
    expect((await payment.tokenizeCard(card({ number: '378282246310005', cvv: '1234' }))).brand).toBe('amex');
    expect((await payment.tokenizeCard(card({ number: '6011111111111117' }))).brand).toBe('other');
  });

  it('accepts a card expiring this month, the last month it is good for', async () => {
    const now = new Date();
    expect(await payment.tokenizeCard(card({ expMonth: now.getUTCMonth() + 1, expYear: now.getUTCFullYear() }))).toMatchObject({ token: 'tok_visa' });
  });

  it('refuses with a validation error on number a Luhn-invalid number, a short one and one with letters', async () => {
    const valid = fakerVisa();
    const wrongCheckDigit = `${valid.slice(0, 15)}${(Number(valid[15]) + 1) % 10}`;
    for (const number of [wrongCheckDigit, '42424242424', '4242 4242 4242 424x']) {
      await expect(payment.tokenizeCard(card({ number }))).rejects.toMatchObject({ kind: 'validation', errors: [expect.objectContaining({ path: 'number' })] });
    }
  });

  it('refuses an expired card, a month 13, a bad cvv and a missing field with validation errors naming the field', async () => {
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const lastMonthField = lastMonth.getUTCFullYear() === now.getUTCFullYear() ? 'expMonth' : 'expYear';
    const refusals: Array<[Partial<Card>, string]> = [
      [{ expMonth: 12, expYear: 2020 }, 'expYear'],
      [{ expMonth: lastMonth.getUTCMonth() + 1, expYear: lastMonth.getUTCFullYear() }, lastMonthField],
      [{ expMonth: 13 }, 'expMonth'],
      [{ expMonth: 0 }, 'expMonth'],
      [{ cvv: '12' }, 'cvv'],
      [{ cvv: '12a' }, 'cvv'],
    ];
    for (const [changes, path] of refusals) {
      await expect(payment.tokenizeCard(card(changes))).rejects.toMatchObject({ kind: 'validation', errors: [expect.objectContaining({ path })] });
    }
    const { cvv: _, ...withoutCvv } = card();
    await expect(payment.tokenizeCard(withoutCvv as Card)).rejects.toMatchObject({ kind: 'validation', errors: [expect.objectContaining({ path: 'cvv' })] });
  });

  it('never echoes the card number or cvv, in an answer, an error or a log line', async () => {
    const number = fakerVisa();
    const answer = await payment.tokenizeCard(card({ number, cvv: '987' }));
    const refused = await payment.tokenizeCard(card({ number: `${number.slice(0, 15)}${(Number(number[15]) + 1) % 10}`, cvv: '987', expYear: 2020 })).catch((err: unknown) => err);
    expect(refused).toMatchObject({ kind: 'validation' });
    expect(logged.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify(answer), JSON.stringify(refused), (refused as Error).message, ...logged]) {
      expect(text).not.toContain(number.slice(0, 15));
      expect(text).not.toContain('"987"');
    }
  });

  it('is refused as unprocessable when the gateway is a real processor, whose own fields must tokenize cards', async () => {
    const gateway = shop.runtime.containerOf('payment').get(TestGateway);
    // A real processor's adapter has no test-card tokenizer.
    Object.defineProperty(gateway, 'tokenizeTestCard', { value: undefined, configurable: true });
    try {
      await expect(payment.tokenizeCard(card())).rejects.toMatchObject({ kind: 'unprocessable', message: expect.stringMatching(/client-side fields/) });
    } finally {
      delete (gateway as Partial<TestGateway>).tokenizeTestCard;
    }
    expect(await payment.tokenizeCard(card())).toMatchObject({ token: 'tok_visa' });
  });
});

describe('payment: charging with a tokenized card', () => {
  it('captures a charge made with the token of a Faker Visa number', async () => {
    const { token } = await payment.tokenizeCard(card());
    expect(await chargeWith(token)).toMatchObject({ status: 'captured' });
  });

  it('declines a charge made with the token of 4000000000000002', async () => {
    const { token } = await payment.tokenizeCard(card({ number: '4000000000000002' }));
    expect(await chargeWith(token)).toMatchObject({ status: 'declined', reason: 'card_declined' });
  });

  it('captures a charge made with the token of 4000000000000119 on its second attempt', async () => {
    const { token } = await payment.tokenizeCard(card({ number: '4000000000000119' }));
    const orderId = `order-${randomUUID()}`;
    expect(await payment.charge({ orderId, userId: 'user-1', amount: 1999, currency: 'USD', paymentToken: token })).toMatchObject({ status: 'captured' });
    const { items } = await payment.listPayments({ orderId, viewer: { userId: 'user-1', role: 'customer' } });
    expect(items).toEqual([expect.objectContaining({ status: 'captured', attempts: 2 })]);
  });
});
