import { and, asc, count, desc, eq, getTableColumns, gte, isNull, lt, type SQL } from 'drizzle-orm';
import { param, prepared, setParam } from '../../../kernel/persistence/prepared.ts';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import type { OrderStatus } from '../../order-processing/contract.ts';
import type { Order } from '../contract.ts';
import { schemas } from './tables.ts';

export type OrderRow = typeof schemas.postgres.orders.$inferSelect;

/** The back office's filter of every order: `from` inclusive, `to` exclusive (ISO-8601 instants, UTC). */
export interface OrderQuery {
  status?: OrderStatus;
  userId?: string;
  from?: string;
  to?: string;
}

export type HistoryRow = typeof schemas.postgres.orderHistory.$inferSelect;
export type CheckoutKeyRow = typeof schemas.postgres.checkoutKeys.$inferSelect;
export type OrderProgress = Pick<OrderRow, 'status' | 'cancelReason' | 'paymentStatus' | 'trackingNumber' | 'shipmentStatus' | 'updatedAt'>;

/** The only place that speaks SQL for the order-taking module, the same on both engines. */
export class OrderTakingStore {
  private readonly t;
  /** The queries of every checkout, order read and order event, built once per connection (see `prepared`). */
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { orders, orderHistory, checkoutKeys } = this.t;
    const mine = eq(orders.userId, param('owner'));
    /** A key still held by `attempt` and not yet bound to an order. */
    const heldKey = and(eq(checkoutKeys.userId, param('owner')), eq(checkoutKeys.key, param('idempotencyKey')), eq(checkoutKeys.attempt, param('heldAttempt')), isNull(checkoutKeys.orderId));
    this.q = {
      findOrder: prepared('order_taking_order_by_id', (d) => d.select().from(orders).where(eq(orders.id, param('id')))),
      // In the order the steps happened: a step reported late is recorded after the later one.
      history: prepared('order_taking_history', (d) => d.select().from(orderHistory).where(eq(orderHistory.orderId, param('id'))).orderBy(asc(orderHistory.at), asc(orderHistory.seq))),
      listOrders: prepared('order_taking_orders_of_user', (d) =>
        d
          .select(getTableColumns(orders))
          .from(orders)
          .leftJoin(orderHistory, and(eq(orderHistory.orderId, orders.id), eq(orderHistory.status, 'placed')))
          .where(mine)
          .orderBy(desc(orders.createdAt), desc(orderHistory.seq))
          .limit(param('limit'))
          .offset(param('offset')),
      ),
      countOrders: prepared('order_taking_orders_of_user_count', (d) => d.select({ n: count() }).from(orders).where(mine)),
      insertOrder: prepared('order_taking_insert_order', (d) =>
        d.insert(orders).values({
          id: param('id'),
          userId: param('userId'),
          status: param('status'),
          cancelReason: param('cancelReason'),
          items: param('items'),
          subtotal: param('subtotal'),
          shippingCost: param('shippingCost'),
          total: param('total'),
          shippingMethod: param('shippingMethod'),
          address: param('address'),
          paymentStatus: param('paymentStatus'),
          trackingNumber: param('trackingNumber'),
          shipmentStatus: param('shipmentStatus'),
          createdAt: param('createdAt'),
          updatedAt: param('updatedAt'),
        }),
      ),
      appendHistory: prepared('order_taking_append_history', (d) => d.insert(orderHistory).values({ orderId: param('id'), status: param('status'), at: param('at') }).onConflictDoNothing()),
      updateProgress: prepared('order_taking_update_progress', (d) =>
        d
          .update(orders)
          .set({
            status: setParam('status'),
            cancelReason: setParam('cancelReason'),
            paymentStatus: setParam('paymentStatus'),
            trackingNumber: setParam('trackingNumber'),
            shipmentStatus: setParam('shipmentStatus'),
            updatedAt: setParam('updatedAt'),
          })
          .where(eq(orders.id, param('id'))),
      ),
      recordShipment: prepared('order_taking_record_shipment', (d) =>
        d.update(orders).set({ trackingNumber: setParam('trackingNumber'), shipmentStatus: 'created', updatedAt: setParam('at') }).where(and(eq(orders.id, param('id')), isNull(orders.trackingNumber))),
      ),
      findCheckoutKey: prepared('order_taking_checkout_key', (d) =>
        d.select().from(checkoutKeys).where(and(eq(checkoutKeys.userId, param('owner')), eq(checkoutKeys.key, param('idempotencyKey')))),
      ),
      reserveCheckoutKey: prepared('order_taking_reserve_checkout_key', (d) =>
        d
          .insert(checkoutKeys)
          .values({ userId: param('userId'), key: param('key'), requestHash: param('requestHash'), attempt: param('attempt'), reservedAt: param('reservedAt') })
          .onConflictDoNothing()
          .returning({ key: checkoutKeys.key }),
      ),
      takeOverCheckoutKey: prepared('order_taking_take_over_checkout_key', (d) =>
        d.update(checkoutKeys).set({ attempt: setParam('attempt'), reservedAt: setParam('reservedAt') }).where(heldKey).returning({ key: checkoutKeys.key }),
      ),
      completeCheckoutKey: prepared('order_taking_complete_checkout_key', (d) =>
        d.update(checkoutKeys).set({ orderId: setParam('orderId'), response: setParam('response') }).where(heldKey).returning({ key: checkoutKeys.key }),
      ),
      releaseCheckoutKey: prepared('order_taking_release_checkout_key', (d) => d.delete(checkoutKeys).where(heldKey)),
    };
  }

  /**
   * One transaction on the module's database: what is read inside stays true until it commits,
   * across replicas too (the engine runs the module's transactions one at a time).
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async findOrder(id: string, on: Executor = this.db): Promise<OrderRow | undefined> {
    const [row] = await this.q.findOrder(on, { id });
    return row;
  }

  history(id: string, on: Executor = this.db): Promise<HistoryRow[]> {
    return this.q.history(on, { id });
  }

  /**
   * A user's orders, newest first. Orders of the same millisecond go by the sequence number of
   * their `placed` history entry, written in the order's own transaction: the order they were taken in.
   */
  async listOrders(owner: string, limit: number, offset: number, on: Executor = this.db): Promise<{ rows: OrderRow[]; total: number }> {
    const rows = await this.q.listOrders(on, { owner, limit, offset });
    const [counted] = await this.q.countOrders(on, { owner });
    return { rows, total: counted?.n ?? 0 };
  }

  /**
   * Every order matching the back office's filter, newest first (the same tie-break as
   * `listOrders`). Built per call: its shape follows the filters given.
   */
  async findOrders(filter: OrderQuery, limit: number, offset: number): Promise<{ rows: OrderRow[]; total: number }> {
    const { orders, orderHistory } = this.t;
    const conditions: SQL[] = [];
    if (filter.status) conditions.push(eq(orders.status, filter.status));
    if (filter.userId) conditions.push(eq(orders.userId, filter.userId));
    if (filter.from) conditions.push(gte(orders.createdAt, filter.from));
    if (filter.to) conditions.push(lt(orders.createdAt, filter.to));
    const where = and(...conditions);
    const rows = await this.db.sql
      .select(getTableColumns(orders))
      .from(orders)
      .leftJoin(orderHistory, and(eq(orderHistory.orderId, orders.id), eq(orderHistory.status, 'placed')))
      .where(where)
      .orderBy(desc(orders.createdAt), desc(orderHistory.seq))
      .limit(limit)
      .offset(offset);
    const [counted] = await this.db.sql.select({ n: count() }).from(orders).where(where);
    return { rows: rows as OrderRow[], total: counted?.n ?? 0 };
  }

  async insertOrder(tx: Tx, row: OrderRow): Promise<void> {
    await this.q.insertOrder(tx, row);
  }

  /** Records that the order reached `status` (once per status). */
  async appendHistory(tx: Tx, id: string, status: OrderStatus, at: string): Promise<void> {
    await this.q.appendHistory(tx, { id, status, at });
  }

  /** Sets all six columns: every one must have a value (null clears it), none may be undefined. */
  async updateProgress(tx: Tx, id: string, progress: OrderProgress): Promise<void> {
    const { status, cancelReason, paymentStatus, trackingNumber, shipmentStatus, updatedAt } = progress;
    await this.q.updateProgress(tx, { id, status, cancelReason, paymentStatus, trackingNumber, shipmentStatus, updatedAt });
  }

  /** Notes the order's tracking number unless a later report already did. */
  async recordShipment(tx: Tx, id: string, trackingNumber: string, at: string): Promise<void> {
    await this.q.recordShipment(tx, { id, trackingNumber, at });
  }

  async findCheckoutKey(owner: string, idempotencyKey: string, on: Executor = this.db): Promise<CheckoutKeyRow | undefined> {
    const [row] = await this.q.findCheckoutKey(on, { owner, idempotencyKey });
    return row;
  }

  /** Reserves a fresh key; false if it already exists (the unique key settles races). */
  async reserveCheckoutKey(tx: Tx, row: Omit<CheckoutKeyRow, 'orderId' | 'response'>): Promise<boolean> {
    const { userId, key, requestHash, attempt, reservedAt } = row;
    const inserted = await this.q.reserveCheckoutKey(tx, { userId, key, requestHash, attempt, reservedAt });
    return inserted.length === 1;
  }

  /** Hands a stale reservation to a new attempt; false if someone else moved first. */
  async takeOverCheckoutKey(tx: Tx, row: CheckoutKeyRow, attempt: string, reservedAt: number): Promise<boolean> {
    const changed = await this.q.takeOverCheckoutKey(tx, { attempt, reservedAt, owner: row.userId, idempotencyKey: row.key, heldAttempt: row.attempt });
    return changed.length === 1;
  }

  /** Completes the key with its order; false if this attempt no longer holds it. */
  async completeCheckoutKey(tx: Tx, owner: string, idempotencyKey: string, attempt: string, order: Order): Promise<boolean> {
    const changed = await this.q.completeCheckoutKey(tx, { orderId: order.id, response: order, owner, idempotencyKey, heldAttempt: attempt });
    return changed.length === 1;
  }

  /** Frees a key whose checkout failed before an order existed, so the customer may retry it. */
  async releaseCheckoutKey(tx: Tx, owner: string, idempotencyKey: string, attempt: string): Promise<void> {
    await this.q.releaseCheckoutKey(tx, { owner, idempotencyKey, heldAttempt: attempt });
  }
}
