import { and, asc, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import type { Order, OrderStatus } from '../contract.ts';
import { checkoutKeys, orderHistory, orders } from './schema.ts';

export type OrderRow = typeof orders.$inferSelect;
export type HistoryRow = typeof orderHistory.$inferSelect;
export type CheckoutKeyRow = typeof checkoutKeys.$inferSelect;
export type OrderProgress = Pick<OrderRow, 'status' | 'cancelReason' | 'paymentStatus' | 'trackingNumber' | 'shipmentStatus' | 'updatedAt'>;

const orderId = sql.placeholder('orderId');
const userId = sql.placeholder('userId');
const key = sql.placeholder('key');

/** The only place that speaks SQL for the order-taking module. */
export class OrderTakingStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      order: db.select().from(orders).where(eq(orders.id, orderId)).prepare(),
      history: db.select().from(orderHistory).where(eq(orderHistory.orderId, orderId)).orderBy(asc(orderHistory.seq)).prepare(),
      checkoutKey: db.select().from(checkoutKeys).where(and(eq(checkoutKeys.userId, userId), eq(checkoutKeys.key, key))).prepare(),
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
    const mine = eq(orders.userId, owner);
    const rows = this.db.select().from(orders).where(mine).orderBy(desc(orders.createdAt), desc(sql`rowid`)).limit(limit).offset(offset).all();
    const total = this.db.select({ n: count() }).from(orders).where(mine).get()?.n ?? 0;
    return { rows, total };
  }

  insertOrder(row: OrderRow): void {
    this.db.insert(orders).values(row).run();
  }

  /** Records that the order reached `status` (once per status). */
  appendHistory(id: string, status: OrderStatus, at: string): void {
    this.db.insert(orderHistory).values({ orderId: id, status, at }).onConflictDoNothing().run();
  }

  updateProgress(id: string, progress: OrderProgress): void {
    this.db.update(orders).set(progress).where(eq(orders.id, id)).run();
  }

  /** Notes the order's tracking number unless a later report already did. */
  recordShipment(id: string, trackingNumber: string, at: string): void {
    this.db.update(orders).set({ trackingNumber, shipmentStatus: 'created', updatedAt: at }).where(and(eq(orders.id, id), isNull(orders.trackingNumber))).run();
  }

  findCheckoutKey(owner: string, idempotencyKey: string): CheckoutKeyRow | undefined {
    return this.stmts.checkoutKey.get({ userId: owner, key: idempotencyKey });
  }

  /** Reserves a fresh key; false if it already exists (the unique key settles races). */
  reserveCheckoutKey(row: Omit<CheckoutKeyRow, 'orderId' | 'response'>): boolean {
    return this.db.insert(checkoutKeys).values(row).onConflictDoNothing().run().changes === 1;
  }

  /** Hands a stale reservation to a new attempt; false if someone else moved first. */
  takeOverCheckoutKey(row: CheckoutKeyRow, attempt: string, reservedAt: number): boolean {
    return this.db
      .update(checkoutKeys)
      .set({ attempt, reservedAt })
      .where(and(eq(checkoutKeys.userId, row.userId), eq(checkoutKeys.key, row.key), eq(checkoutKeys.attempt, row.attempt), isNull(checkoutKeys.orderId)))
      .run().changes === 1;
  }

  /** Completes the key with its order; false if this attempt no longer holds it. */
  completeCheckoutKey(owner: string, idempotencyKey: string, attempt: string, order: Order): boolean {
    return this.db
      .update(checkoutKeys)
      .set({ orderId: order.id, response: order })
      .where(and(eq(checkoutKeys.userId, owner), eq(checkoutKeys.key, idempotencyKey), eq(checkoutKeys.attempt, attempt), isNull(checkoutKeys.orderId)))
      .run().changes === 1;
  }

  /** Frees a key whose checkout failed before an order existed, so the customer may retry it. */
  releaseCheckoutKey(owner: string, idempotencyKey: string, attempt: string): void {
    this.db
      .delete(checkoutKeys)
      .where(and(eq(checkoutKeys.userId, owner), eq(checkoutKeys.key, idempotencyKey), eq(checkoutKeys.attempt, attempt), isNull(checkoutKeys.orderId)))
      .run();
  }
}
