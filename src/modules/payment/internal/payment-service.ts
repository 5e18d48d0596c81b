import { randomUUID } from 'node:crypto';
import type { Implementation, Viewer } from '../../../kernel/contract.ts';
import { conflict, notFound, unavailable, unprocessable } from '../../../kernel/errors.ts';
import type { Logger } from '../../../kernel/logger.ts';
import type { ModuleCounter, ModuleMetrics } from '../../../kernel/metrics.ts';
import { paymentContract, type Card, type Payment, type PaymentContract } from '../contract.ts';
import type { PaymentGateway } from './payment-gateway.ts';
import type { PaymentRow, PaymentStore } from './payment-store.ts';

/** Gateway requests per call before giving up with `unavailable` (the caller retries later). */
const ATTEMPTS_PER_CALL = 4;

interface ChargeInput {
  orderId: string;
  userId: string;
  amount: number;
  currency: 'USD';
  paymentToken: string;
}

/** The payment module's use cases; each public method is one call of its contract. */
export class PaymentService implements Implementation<PaymentContract> {
  private readonly settled: ModuleCounter;

  constructor(
    private readonly store: PaymentStore,
    private readonly gateway: PaymentGateway,
    private readonly retryBaseMs: number,
    private readonly logger: Logger,
    metrics: ModuleMetrics,
  ) {
    this.settled = metrics.counter('shop_payments_total', 'Payments by outcome (captured, declined, refunded), counted once recorded', ['outcome']);
  }

  async charge(input: ChargeInput) {
    const now = new Date().toISOString();
    const payment = await this.store.openForAttempt({
      id: randomUUID(),
      orderId: input.orderId,
      userId: input.userId,
      amount: input.amount,
      currency: input.currency,
      status: 'authorized',
      attempts: 0,
      gatewayReference: null,
      declineReason: null,
      createdAt: now,
      updatedAt: now,
    });
    if (!payment) return { status: 'cancelled' as const };
    if (payment.amount !== input.amount || payment.userId !== input.userId) throw conflict('This order is already being paid with another amount or by another user');
    if (payment.status !== 'authorized') return chargeAnswer(payment);

    // The payment id is the gateway's idempotency key: duplicate calls racing here reach the same capture.
    const result = await this.withRetries(
      () => this.gateway.charge(input.paymentToken, payment.amount, payment.id),
      // The first attempt was counted as the payment was opened.
      (attempt) => (attempt > 1 ? this.store.countAttempt(payment.id) : Promise.resolve()),
    );
    await this.store.transaction(async (tx) => {
      if (result.outcome === 'captured' && (await this.store.move(tx, payment.id, 'authorized', 'captured', { gatewayReference: result.reference }))) {
        await tx.publish(paymentContract.events.captured, { orderId: payment.orderId, paymentId: payment.id, amount: payment.amount }, { key: payment.orderId });
        tx.afterCommit(() => this.settled.inc({ outcome: 'captured' }));
      }
      const reason = result.reason ?? 'declined';
      if (result.outcome === 'declined' && (await this.store.move(tx, payment.id, 'authorized', 'declined', { declineReason: reason }))) {
        await tx.publish(paymentContract.events.declined, { orderId: payment.orderId, paymentId: payment.id, reason }, { key: payment.orderId });
        tx.afterCommit(() => this.settled.inc({ outcome: 'declined' }));
      }
    });
    return chargeAnswer((await this.store.findByOrder(payment.orderId))!);
  }

  async refund({ orderId }: { orderId: string }) {
    const payment = await this.store.transaction(async (tx) => {
      const found = await this.store.findByOrder(orderId, tx);
      // Refunding an order never charged voids it: a charge still on its way is then refused.
      if (!found) await this.store.voidOrder(tx, orderId);
      return found;
    });
    if (payment?.status === 'refunded') return { status: 'refunded' as const };
    // A charge still in flight may yet capture: answering 'none' now would leave that money
    // behind a cancelled order. The caller retries once the charge has settled either way.
    if (payment?.status === 'authorized') throw unavailable('The charge of this order is still in progress; try the refund again shortly');
    if (payment?.status !== 'captured') return { status: 'none' as const };
    const result = await this.withRetries(() => this.gateway.refund(payment.gatewayReference!, payment.amount, `refund-${payment.id}`));
    if (result.outcome === 'rejected') throw conflict(`The gateway refused the refund (${result.reason ?? 'no reason given'})`);
    await this.store.transaction(async (tx) => {
      if (await this.store.move(tx, payment.id, 'captured', 'refunded')) {
        await tx.publish(paymentContract.events.refunded, { orderId, paymentId: payment.id, amount: payment.amount }, { key: orderId });
        tx.afterCommit(() => this.settled.inc({ outcome: 'refunded' }));
      }
    });
    return { status: 'refunded' as const };
  }

  async tokenizeCard(card: Card) {
    // Only a test mode takes card numbers here; a real processor must never see them pass through the shop.
    if (!this.gateway.tokenizeTestCard) {
      throw unprocessable("This shop's payment gateway takes no card numbers: real cards must be tokenized by the processor's own client-side fields, which give the token to send as paymentToken");
    }
    return this.gateway.tokenizeTestCard(card);
  }

  async listPayments({ orderId, viewer }: { orderId: string; viewer: Viewer }) {
    const payment = await this.store.findByOrder(orderId);
    // Customers learn nothing about orders that are not theirs, not even that they exist.
    if (viewer.role !== 'admin' && payment?.userId !== viewer.userId) throw notFound('Payment of this order');
    return { items: payment ? [toPayment(payment)] : [] };
  }

  /**
   * Repeats a gateway request (same key) on transient failures, waiting longer each time.
   * `beforeEach` runs ahead of every request (told which attempt it is, from 1); its failure is
   * not the gateway's and is not retried.
   */
  private async withRetries<R extends { outcome: string }>(request: () => Promise<R>, beforeEach: (attempt: number) => Promise<void> = async () => undefined): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      await beforeEach(attempt);
      const result = await request().catch((err: unknown) => {
        // A gateway that cannot be reached is a transient failure like any other: the key makes the retry safe.
        this.logger.warn({ err, attempt }, 'payment gateway request failed');
        return { outcome: 'transient' } as R;
      });
      if (result.outcome !== 'transient') return result;
      if (attempt === ATTEMPTS_PER_CALL) throw unavailable('The payment gateway is not answering; try again later');
      await new Promise((resolve) => setTimeout(resolve, this.retryBaseMs * 2 ** (attempt - 1)));
    }
  }
}

function chargeAnswer(payment: PaymentRow) {
  if (payment.status === 'declined') return { status: 'declined' as const, paymentId: payment.id, reason: payment.declineReason ?? 'declined' };
  if (payment.status === 'authorized') throw unavailable('The charge of this order is not settled yet; try again later');
  return { status: 'captured' as const, paymentId: payment.id };
}

function toPayment(row: PaymentRow): Payment {
  return { id: row.id, orderId: row.orderId, amount: row.amount, currency: row.currency, status: row.status, attempts: row.attempts, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
