import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Api, Implementation } from '../../../kernel/contract.ts';
import { notFound } from '../../../kernel/errors.ts';
import type { Logger } from '../../../kernel/logger.ts';
import type { Tx } from '../../../kernel/persistence/sql.ts';
import type { OrderProcessingContract } from '../../order-processing/contract.ts';
import { orderTakingContract, type Checkout, type Order, type OrderTakingContract } from '../contract.ts';
import type { CheckoutKeys } from './checkout-keys.ts';
import type { OrderDraft, OrderDrafts } from './order-drafts.ts';
import type { OrderQuery, OrderRow, OrderTakingStore } from './order-taking-store.ts';
import { toOrder, toSummary } from './order-views.ts';

interface PlaceOrder {
  userId: string;
  idempotencyKey: string;
  checkout: z.output<typeof Checkout>;
}

/** The order-taking module's use cases; each public method is one call of its contract. */
export class OrderTakingService implements Implementation<OrderTakingContract> {
  constructor(
    private readonly store: OrderTakingStore,
    private readonly keys: CheckoutKeys,
    private readonly drafts: OrderDrafts,
    private readonly processing: Api<OrderProcessingContract>,
    private readonly logger: Logger,
  ) {}

  async placeOrder({ userId, idempotencyKey, checkout }: PlaceOrder): Promise<{ order: Order; replayed: boolean }> {
    const claim = await this.keys.claim(userId, idempotencyKey, checkout);
    if (claim.kind === 'replay') return { order: claim.order, replayed: true };
    try {
      const draft = await this.drafts.draft(userId, checkout);
      const order = await this.store.transaction((tx) => this.takeOrder(tx, userId, draft, checkout.paymentToken, { idempotencyKey, attempt: claim.attempt }));
      return { order, replayed: false };
    } catch (err) {
      await this.keys.release(userId, idempotencyKey, claim.attempt);
      throw err;
    }
  }

  /** Stores the order, completes its key and announces it, all in the caller's transaction. */
  private async takeOrder(tx: Tx, userId: string, draft: OrderDraft, paymentToken: string, claim: { idempotencyKey: string; attempt: string }): Promise<Order> {
    const now = new Date().toISOString();
    const row: OrderRow = {
      id: randomUUID(),
      userId,
      status: 'placed',
      cancelReason: null,
      ...draft,
      paymentStatus: null,
      trackingNumber: null,
      shipmentStatus: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insertOrder(tx, row);
    await this.store.appendHistory(tx, row.id, 'placed', now);
    const order = toOrder(row, await this.store.history(row.id, tx));
    await this.keys.complete(tx, userId, claim.idempotencyKey, claim.attempt, order);
    await tx.publish(
      orderTakingContract.events.placed,
      { orderId: row.id, userId, ...draft, currency: 'USD', paymentToken, placedAt: now },
      { key: row.id },
    );
    return order;
  }

  async listOrders({ userId, limit, offset }: { userId: string; limit: number; offset: number }) {
    const { rows, total } = await this.store.listOrders(userId, limit, offset);
    return { items: rows.map(toSummary), total };
  }

  async getOrder({ userId, orderId }: { userId: string; orderId: string }): Promise<Order> {
    return toOrder(await this.ownOrder(userId, orderId), await this.store.history(orderId));
  }

  /** The saga owns the outcome: it refuses once the order shipped and answers the same for a repeat. */
  async cancelOrder({ userId, orderId }: { userId: string; orderId: string }) {
    await this.ownOrder(userId, orderId);
    return this.processing.cancel({ orderId, reason: 'customer_request' });
  }

  async findOrders({ limit, offset, ...filter }: OrderQuery & { limit: number; offset: number }) {
    const { rows, total } = await this.store.findOrders(filter, limit, offset);
    return { items: rows.map((row) => ({ ...toSummary(row), userId: row.userId })), total };
  }

  async inspectOrder({ orderId }: { orderId: string }) {
    const row = await this.store.findOrder(orderId);
    if (!row) throw notFound('Order');
    return { ...toOrder(row, await this.store.history(orderId)), userId: row.userId };
  }

  /** The back office's cancel; who asked and why go to the log, the record of staff actions. */
  async cancelAnyOrder({ orderId, adminId, note }: { orderId: string; adminId: string; note?: string }) {
    if (!(await this.store.findOrder(orderId))) throw notFound('Order');
    const answer = await this.processing.cancel({ orderId, reason: 'admin_request' });
    this.logger.info({ orderId, adminId, note, status: answer.status }, 'an admin asked to cancel an order');
    return answer;
  }

  /** Someone else's order does not exist, as far as this user can tell. */
  private async ownOrder(userId: string, orderId: string): Promise<OrderRow> {
    const row = await this.store.findOrder(orderId);
    if (!row || row.userId !== userId) throw notFound('Order');
    return row;
  }
}
