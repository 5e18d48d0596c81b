import { and, asc, count, desc, eq, getTableColumns, isNull } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import type { OrderStatus } from '../../order-processing/contract.ts';
import type { Order } from '../contract.ts';
import { schemas } from './tables.ts';

export type OrderRow = typeof schemas.postgres.orders.$inferSelect;
export type HistoryRow = typeof schemas.postgres.orderHistory.$inferSelect;
export type CheckoutKeyRow = typeof schemas.postgres.checkoutKeys.$inferSelect;
export type OrderProgress = Pick<OrderRow, 'status' | 'cancelReason' | 'paymentStatus' | 'trackingNumber' | 'shipmentStatus' | 'updatedAt'>;

/** The only place that speaks SQL for the order-taking module, the same on both engines. */
export class OrderTakingStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  /**
   * One transaction on the module's database: what is read inside stays true until it commits,
   * across replicas too (the engine runs the module's transactions one at a time).
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async findOrder(id: string, on: Executor = this.db): Promise<OrderRow | undefined> {
    const { orders } = this.t;
    const [row] = await on.sql.select().from(orders).where(eq(orders.id, id)).limit(1);
    return row;
  }

  history(id: string, on: Executor = this.db): Promise<HistoryRow[]> {
    const { orderHistory } = this.t;
    return on.sql.select().from(orderHistory).where(eq(orderHistory.orderId, id)).orderBy(asc(orderHistory.seq));
  }

  /**
   * A user's orders, newest first. Orders of the same millisecond go by the sequence number of
   * their `placed` history entry, written in the order's own transaction: the order they were taken in.
   */
  async listOrders(owner: string, limit: number, offset: number, on: Executor = this.db): Promise<{ rows: OrderRow[]; total: number }> {
    const { orders, orderHistory } = this.t;
    const mine = eq(orders.userId, owner);
    const rows = await on.sql
      .select(getTableColumns(orders))
      .from(orders)
      .leftJoin(orderHistory, and(eq(orderHistory.orderId, orders.id), eq(orderHistory.status, 'placed')))
      .where(mine)
      .orderBy(desc(orders.createdAt), desc(orderHistory.seq))
      .limit(limit)
      .offset(offset);
    const [counted] = await on.sql.select({ n: count() }).from(orders).where(mine);
    return { rows, total: counted?.n ?? 0 };
  }

  async insertOrder(tx: Tx, row: OrderRow): Promise<void> {
    const { orders } = this.t;
    await tx.sql.insert(orders).values(row);
  }

  /** Records that the order reached `status` (once per status). */
  async appendHistory(tx: Tx, id: string, status: OrderStatus, at: string): Promise<void> {
    const { orderHistory } = this.t;
    await tx.sql.insert(orderHistory).values({ orderId: id, status, at }).onConflictDoNothing();
  }

  async updateProgress(tx: Tx, id: string, progress: OrderProgress): Promise<void> {
    const { orders } = this.t;
    const { status, cancelReason, paymentStatus, trackingNumber, shipmentStatus, updatedAt } = progress;
    await tx.sql.update(orders).set({ status, cancelReason, paymentStatus, trackingNumber, shipmentStatus, updatedAt }).where(eq(orders.id, id));
  }

  /** Notes the order's tracking number unless a later report already did. */
  async recordShipment(tx: Tx, id: string, trackingNumber: string, at: string): Promise<void> {
    const { orders } = this.t;
    await tx.sql.update(orders).set({ trackingNumber, shipmentStatus: 'created', updatedAt: at }).where(and(eq(orders.id, id), isNull(orders.trackingNumber)));
  }

  async findCheckoutKey(owner: string, idempotencyKey: string, on: Executor = this.db): Promise<CheckoutKeyRow | undefined> {
    const { checkoutKeys } = this.t;
    const [row] = await on.sql.select().from(checkoutKeys).where(and(eq(checkoutKeys.userId, owner), eq(checkoutKeys.key, idempotencyKey))).limit(1);
    return row;
  }

  /** Reserves a fresh key; false if it already exists (the unique key settles races). */
  async reserveCheckoutKey(tx: Tx, row: Omit<CheckoutKeyRow, 'orderId' | 'response'>): Promise<boolean> {
    const { checkoutKeys } = this.t;
    const { userId, key, requestHash, attempt, reservedAt } = row;
    const inserted = await tx.sql.insert(checkoutKeys).values({ userId, key, requestHash, attempt, reservedAt }).onConflictDoNothing().returning({ key: checkoutKeys.key });
    return inserted.length === 1;
  }

  /** Hands a stale reservation to a new attempt; false if someone else moved first. */
  async takeOverCheckoutKey(tx: Tx, row: CheckoutKeyRow, attempt: string, reservedAt: number): Promise<boolean> {
    const { checkoutKeys } = this.t;
    const changed = await tx.sql.update(checkoutKeys).set({ attempt, reservedAt }).where(this.heldKey(row.userId, row.key, row.attempt)).returning({ key: checkoutKeys.key });
    return changed.length === 1;
  }

  /** Completes the key with its order; false if this attempt no longer holds it. */
  async completeCheckoutKey(tx: Tx, owner: string, idempotencyKey: string, attempt: string, order: Order): Promise<boolean> {
    const { checkoutKeys } = this.t;
    const changed = await tx.sql.update(checkoutKeys).set({ orderId: order.id, response: order }).where(this.heldKey(owner, idempotencyKey, attempt)).returning({ key: checkoutKeys.key });
    return changed.length === 1;
  }

  /** Frees a key whose checkout failed before an order existed, so the customer may retry it. */
  async releaseCheckoutKey(tx: Tx, owner: string, idempotencyKey: string, attempt: string): Promise<void> {
    const { checkoutKeys } = this.t;
    await tx.sql.delete(checkoutKeys).where(this.heldKey(owner, idempotencyKey, attempt));
  }

  /** A key still held by `attempt` and not yet bound to an order. */
  private heldKey(owner: string, idempotencyKey: string, attempt: string) {
    const { checkoutKeys } = this.t;
    return and(eq(checkoutKeys.userId, owner), eq(checkoutKeys.key, idempotencyKey), eq(checkoutKeys.attempt, attempt), isNull(checkoutKeys.orderId));
  }
}
