import { and, asc, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import type { OrderStatus } from '../../order-processing/contract.ts';
import type { Order } from '../contract.ts';
import { checkoutKeys, orderHistory, orders } from './schema.ts';
import { param as p } from '../../../kernel/persistence/statements.ts';

export type OrderRow = typeof orders.$inferSelect;
export type HistoryRow = typeof orderHistory.$inferSelect;
export type CheckoutKeyRow = typeof checkoutKeys.$inferSelect;
export type OrderProgress = Pick<OrderRow, 'status' | 'cancelReason' | 'paymentStatus' | 'trackingNumber' | 'shipmentStatus' | 'updatedAt'>;

const orderId = sql.placeholder('orderId');
const userId = sql.placeholder('userId');
const key = sql.placeholder('key');
const attempt = sql.placeholder('attempt');

/** The only place that speaks SQL for the order-taking module. Statements are prepared once, at start. */
export class OrderTakingStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    const mine = eq(orders.userId, userId);
    // A key still held by `attempt` and not yet bound to an order.
    const heldKey = and(eq(checkoutKeys.userId, userId), eq(checkoutKeys.key, key), eq(checkoutKeys.attempt, attempt), isNull(checkoutKeys.orderId));
    this.stmts = {
      order: db.select().from(orders).where(eq(orders.id, orderId)).prepare(),
      history: db.select().from(orderHistory).where(eq(orderHistory.orderId, orderId)).orderBy(asc(orderHistory.seq)).prepare(),
      checkoutKey: db.select().from(checkoutKeys).where(and(eq(checkoutKeys.userId, userId), eq(checkoutKeys.key, key))).prepare(),
      ordersPage: db.select().from(orders).where(mine).orderBy(desc(orders.createdAt), desc(sql`rowid`)).limit(p('limit')).offset(p('offset')).prepare(),
      ordersCount: db.select({ n: count() }).from(orders).where(mine).prepare(),
      insertOrder: db.insert(orders).values({
        id: p('id'), userId: p('userId'), status: p('status'), cancelReason: p('cancelReason'), items: p('items'), subtotal: p('subtotal'),
        shippingCost: p('shippingCost'), total: p('total'), shippingMethod: p('shippingMethod'), address: p('address'),
        paymentStatus: p('paymentStatus'), trackingNumber: p('trackingNumber'), shipmentStatus: p('shipmentStatus'),
        createdAt: p('createdAt'), updatedAt: p('updatedAt'),
      }).prepare(),
      appendHistory: db.insert(orderHistory).values({ orderId, status: p('status'), at: p('at') }).onConflictDoNothing().prepare(),
      updateProgress: db.update(orders).set({
        status: sql`${p('status')}`, cancelReason: sql`${p('cancelReason')}`, paymentStatus: sql`${p('paymentStatus')}`,
        trackingNumber: sql`${p('trackingNumber')}`, shipmentStatus: sql`${p('shipmentStatus')}`, updatedAt: sql`${p('updatedAt')}`,
      }).where(eq(orders.id, orderId)).prepare(),
      recordShipment: db.update(orders)
        .set({ trackingNumber: sql`${p('trackingNumber')}`, shipmentStatus: 'created', updatedAt: sql`${p('at')}` })
        .where(and(eq(orders.id, orderId), isNull(orders.trackingNumber)))
        .prepare(),
      reserveCheckoutKey: db.insert(checkoutKeys)
        .values({ userId, key, requestHash: p('requestHash'), attempt, reservedAt: p('reservedAt') })
        .onConflictDoNothing()
        .prepare(),
      takeOverCheckoutKey: db.update(checkoutKeys)
        .set({ attempt: sql`${p('newAttempt')}`, reservedAt: sql`${p('reservedAt')}` })
        .where(heldKey)
        .prepare(),
      // `response` is a JSON column: the method binds it already serialized, as drizzle's set() would.
      completeCheckoutKey: db.update(checkoutKeys)
        .set({ orderId: sql`${p('orderId')}`, response: sql`${p('response')}` })
        .where(heldKey)
        .prepare(),
      releaseCheckoutKey: db.delete(checkoutKeys).where(heldKey).prepare(),
    };
  }

  /** BEGIN IMMEDIATE: replicas sharing the file queue up instead of failing a read-then-write upgrade. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  findOrder(id: string): OrderRow | undefined {
    return this.stmts.order.get({ orderId: id });
  }

  history(id: string): HistoryRow[] {
    return this.stmts.history.all({ orderId: id });
  }

  /** A user's orders, newest first (rowid breaks ties between orders of the same millisecond). */
  listOrders(owner: string, limit: number, offset: number): { rows: OrderRow[]; total: number } {
    const rows = this.stmts.ordersPage.all({ userId: owner, limit, offset });
    const total = this.stmts.ordersCount.get({ userId: owner })?.n ?? 0;
    return { rows, total };
  }

  insertOrder(row: OrderRow): void {
    this.stmts.insertOrder.run(row);
  }

  /** Records that the order reached `status` (once per status). */
  appendHistory(id: string, status: OrderStatus, at: string): void {
    this.stmts.appendHistory.run({ orderId: id, status, at });
  }

  updateProgress(id: string, progress: OrderProgress): void {
    const { status, cancelReason, paymentStatus, trackingNumber, shipmentStatus, updatedAt } = progress;
    this.stmts.updateProgress.run({ orderId: id, status, cancelReason, paymentStatus, trackingNumber, shipmentStatus, updatedAt });
  }

  /** Notes the order's tracking number unless a later report already did. */
  recordShipment(id: string, trackingNumber: string, at: string): void {
    this.stmts.recordShipment.run({ orderId: id, trackingNumber, at });
  }

  findCheckoutKey(owner: string, idempotencyKey: string): CheckoutKeyRow | undefined {
    return this.stmts.checkoutKey.get({ userId: owner, key: idempotencyKey });
  }

  /** Reserves a fresh key; false if it already exists (the unique key settles races). */
  reserveCheckoutKey(row: Omit<CheckoutKeyRow, 'orderId' | 'response'>): boolean {
    const { userId, key, requestHash, attempt, reservedAt } = row;
    return this.stmts.reserveCheckoutKey.run({ userId, key, requestHash, attempt, reservedAt }).changes === 1;
  }

  /** Hands a stale reservation to a new attempt; false if someone else moved first. */
  takeOverCheckoutKey(row: CheckoutKeyRow, attempt: string, reservedAt: number): boolean {
    return this.stmts.takeOverCheckoutKey.run({ userId: row.userId, key: row.key, attempt: row.attempt, newAttempt: attempt, reservedAt }).changes === 1;
  }

  /** Completes the key with its order; false if this attempt no longer holds it. */
  completeCheckoutKey(owner: string, idempotencyKey: string, attempt: string, order: Order): boolean {
    return this.stmts.completeCheckoutKey.run({ userId: owner, key: idempotencyKey, attempt, orderId: order.id, response: JSON.stringify(order) }).changes === 1;
  }

  /** Frees a key whose checkout failed before an order existed, so the customer may retry it. */
  releaseCheckoutKey(owner: string, idempotencyKey: string, attempt: string): void {
    this.stmts.releaseCheckoutKey.run({ userId: owner, key: idempotencyKey, attempt });
  }
}
