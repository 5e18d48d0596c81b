import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { param, prepared } from '../../../kernel/persistence/prepared.ts';
import { chunks } from '../../../kernel/persistence/sql-pieces.ts';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type OrderRow = typeof schemas.postgres.orders.$inferSelect;

/** A candidate with the signals the scoring needs. */
export interface Signal {
  productId: string;
  /** Paid orders it shared with the product (or summed over the user's products). */
  together: number;
  /** The user's wished products in its category. */
  wishes: number;
  /** Paid orders that contained it. */
  purchases: number;
  /** When the catalog created it (null until its catalog event arrives): the newest lead among equals. */
  createdAt: string | null;
}

/** Rows per multi-row insert: well below both engines' limits on bound parameters per statement. */

/** The user's bought and wished products, never recommended back to them. */
const notMine = (userId: string): SQL => sql`NOT IN (SELECT product_id FROM user_purchases WHERE user_id = ${userId}
                          UNION SELECT product_id FROM wishes WHERE user_id = ${userId})`;

/*
 * The ranking queries are raw SQL that both engines read alike: aliases are double-quoted (so they
 * keep their case on PostgreSQL), booleans are compared with TRUE (SQLite reads it as 1), and
 * `created_at DESC NULLS LAST` is SQLite's own order for DESC, which PostgreSQL must be told (its
 * NULLs sort high) so that products without a creation time come last on both, and the indexes
 * on products (declared in that order) serve the sort.
 */

/** The only place that speaks SQL for the recommendation module, the same on both engines. */
export class RecommendationStore {
  private readonly t;
  /**
   * What every order's events and every wish write, built once per connection (kernel
   * prepared.ts). An order's lines have a one-product form here, the common case; more products
   * are written per call, as their statements grow with the products (and their pairs).
   */
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { products, orders, orderLines, userPurchases, wishes } = this.t;
    const byOrder = eq(orders.orderId, param('orderId'));
    this.q = {
      order: prepared('order_by_id', (d) => d.select().from(orders).where(byOrder)),
      noteOrder: prepared('order_note', (d) => d.insert(orders).values({ orderId: param('orderId'), userId: param('userId') }).onConflictDoNothing({ target: orders.orderId })),
      markLinesKnown: prepared('order_mark_lines_known', (d) => d.update(orders).set({ linesKnown: true }).where(byOrder)),
      markPaid: prepared('order_mark_paid', (d) => d.update(orders).set({ paid: true }).where(byOrder)),
      markCounted: prepared('order_mark_counted', (d) => d.update(orders).set({ counted: true }).where(byOrder)),
      addOrderLine: prepared('order_line_insert', (d) => d.insert(orderLines).values({ orderId: param('orderId'), productId: param('productId') }).onConflictDoNothing()),
      orderLines: prepared('order_lines', (d) =>
        d.select({ productId: orderLines.productId }).from(orderLines).where(eq(orderLines.orderId, param('orderId'))).orderBy(asc(orderLines.productId)),
      ),
      countOnePurchase: prepared('product_count_purchase', (d) =>
        d
          .insert(products)
          .values({ productId: param('productId'), purchases: 1 })
          .onConflictDoUpdate({ target: products.productId, set: { purchases: sql`${products.purchases} + 1` } }),
      ),
      addUserPurchase: prepared('user_purchase_insert', (d) => d.insert(userPurchases).values({ userId: param('userId'), productId: param('productId') }).onConflictDoNothing()),
      addWish: prepared('wish_insert', (d) => d.insert(wishes).values({ userId: param('userId'), productId: param('productId') }).onConflictDoNothing()),
      removeWish: prepared('wish_delete', (d) => d.delete(wishes).where(and(eq(wishes.userId, param('userId')), eq(wishes.productId, param('productId'))))),
    };
  }

  /** Archiving is final, so an update that arrives late does not bring a product back. */
  async saveProduct(tx: Tx, productId: string, categoryId: string, active: boolean, createdAt: string): Promise<void> {
    const { products } = this.t;
    await tx.sql
      .insert(products)
      .values({ productId, categoryId, active, createdAt })
      .onConflictDoUpdate({
        target: products.productId,
        set: { categoryId: sql`excluded.category_id`, active: sql`${products.active} AND excluded.active`, createdAt: sql`excluded.created_at` },
      });
  }

  async archiveProduct(tx: Tx, productId: string): Promise<void> {
    const { products } = this.t;
    await tx.sql.insert(products).values({ productId, active: false }).onConflictDoUpdate({ target: products.productId, set: { active: false } });
  }

  async order(on: Executor, orderId: string): Promise<OrderRow | undefined> {
    const [row] = await this.q.order(on, { orderId });
    return row;
  }

  async saveOrderLines(tx: Tx, orderId: string, userId: string, productIds: string[]): Promise<void> {
    const { orderLines } = this.t;
    await this.noteOrder(tx, orderId, userId);
    if (productIds.length === 1) {
      await this.q.addOrderLine(tx, { orderId, productId: productIds[0] });
    } else {
      for (const rows of chunks(productIds.map((productId) => ({ orderId, productId })))) {
        await tx.sql.insert(orderLines).values(rows).onConflictDoNothing();
      }
    }
    await this.q.markLinesKnown(tx, { orderId });
  }

  async markPaid(tx: Tx, orderId: string, userId: string): Promise<void> {
    await this.noteOrder(tx, orderId, userId);
    await this.q.markPaid(tx, { orderId });
  }

  async orderLines(on: Executor, orderId: string): Promise<string[]> {
    const rows = await this.q.orderLines(on, { orderId });
    return rows.map((r) => r.productId);
  }

  /**
   * Adds one paid order to popularity, pair counts and the buyer's purchases: one multi-row
   * statement per table (per ROWS_PER_STATEMENT rows), not one per product or pair.
   * `productIds` holds each product once (an order's lines).
   */
  async countPurchase(tx: Tx, order: OrderRow, productIds: string[]): Promise<void> {
    if (productIds.length === 1) {
      // One product: one row per table, and no pairs.
      const [productId] = productIds;
      await this.q.countOnePurchase(tx, { productId });
      await this.q.addUserPurchase(tx, { userId: order.userId, productId });
      await this.q.markCounted(tx, { orderId: order.orderId });
      return;
    }
    const { products, userPurchases, boughtTogether } = this.t;
    for (const rows of chunks(productIds.map((productId) => ({ productId, purchases: 1 })))) {
      await tx.sql.insert(products).values(rows).onConflictDoUpdate({ target: products.productId, set: { purchases: sql`${products.purchases} + 1` } });
    }
    for (const rows of chunks(productIds.map((productId) => ({ userId: order.userId, productId })))) {
      await tx.sql.insert(userPurchases).values(rows).onConflictDoNothing();
    }
    const pairs = productIds.flatMap((a) => productIds.filter((b) => b !== a).map((b) => ({ productId: a, otherId: b, orders: 1 })));
    for (const rows of chunks(pairs)) {
      await tx.sql
        .insert(boughtTogether)
        .values(rows)
        .onConflictDoUpdate({ target: [boughtTogether.productId, boughtTogether.otherId], set: { orders: sql`${boughtTogether.orders} + 1` } });
    }
    await this.q.markCounted(tx, { orderId: order.orderId });
  }

  async addWish(tx: Tx, userId: string, productId: string): Promise<void> {
    await this.q.addWish(tx, { userId, productId });
  }

  async removeWish(tx: Tx, userId: string, productId: string): Promise<void> {
    await this.q.removeWish(tx, { userId, productId });
  }

  /**
   * CROSS JOIN fixes the join order on SQLite (its rule): start from this product's pairs. Left to
   * itself, the planner walked every active product and probed the pairs for each one. The join
   * conditions are in WHERE, as PostgreSQL allows no ON after CROSS JOIN (there it is a plain join).
   */
  boughtWith(productId: string, limit: number): Promise<Signal[]> {
    return this.db.rows<Signal>(sql`
      SELECT t.other_id AS "productId", t.orders AS "together", 0 AS "wishes", p.purchases AS "purchases", p.created_at AS "createdAt"
      FROM bought_together t CROSS JOIN products p
      WHERE t.product_id = ${productId} AND p.product_id = t.other_id AND p.active = TRUE
      ORDER BY t.orders DESC, p.purchases DESC, p.created_at DESC NULLS LAST, t.other_id LIMIT ${limit}`);
  }

  sameCategory(productId: string, limit: number): Promise<Signal[]> {
    return this.db.rows<Signal>(sql`
      SELECT p.product_id AS "productId", 0 AS "together", 0 AS "wishes", p.purchases AS "purchases", p.created_at AS "createdAt"
      FROM products me JOIN products p ON p.category_id = me.category_id AND p.active = TRUE AND p.product_id <> me.product_id
      WHERE me.product_id = ${productId}
      ORDER BY p.purchases DESC, p.created_at DESC NULLS LAST, p.product_id LIMIT ${limit}`);
  }

  /**
   * Products co-bought with what the user bought, not bought or wished by them. CROSS JOIN as in
   * `boughtWith`; grouped by the product's key, so PostgreSQL knows its other columns are single-valued.
   */
  boughtWithMine(userId: string, limit: number): Promise<Signal[]> {
    return this.db.rows<Signal>(sql`
      SELECT p.product_id AS "productId", CAST(SUM(t.orders) AS integer) AS "together", 0 AS "wishes", p.purchases AS "purchases", p.created_at AS "createdAt"
      FROM user_purchases mine
      CROSS JOIN bought_together t
      CROSS JOIN products p
      WHERE mine.user_id = ${userId} AND t.product_id = mine.product_id AND p.product_id = t.other_id AND p.active = TRUE
        AND t.other_id ${notMine(userId)}
      GROUP BY p.product_id ORDER BY SUM(t.orders) DESC, p.purchases DESC, p.created_at DESC NULLS LAST, p.product_id LIMIT ${limit}`);
  }

  /** Products in the categories of the user's wishes, not bought or wished by them. */
  likeMyWishes(userId: string, limit: number): Promise<Signal[]> {
    return this.db.rows<Signal>(sql`
      SELECT p.product_id AS "productId", 0 AS "together", CAST(COUNT(*) AS integer) AS "wishes", p.purchases AS "purchases", p.created_at AS "createdAt"
      FROM wishes w
      JOIN products wished ON wished.product_id = w.product_id
      JOIN products p ON p.category_id = wished.category_id AND p.active = TRUE
      WHERE w.user_id = ${userId} AND p.product_id ${notMine(userId)}
      GROUP BY p.product_id ORDER BY COUNT(*) DESC, p.purchases DESC, p.created_at DESC NULLS LAST, p.product_id LIMIT ${limit}`);
  }

  /** The most bought products the user has neither bought nor wished; the newest first among equals. */
  popularFor(userId: string, limit: number): Promise<Signal[]> {
    return this.db.rows<Signal>(sql`
      SELECT product_id AS "productId", 0 AS "together", 0 AS "wishes", purchases AS "purchases", created_at AS "createdAt"
      FROM products WHERE active = TRUE AND product_id ${notMine(userId)}
      ORDER BY purchases DESC, created_at DESC NULLS LAST, product_id LIMIT ${limit}`);
  }

  /** Notes an order (lines or payment may come first); its user never changes. */
  private async noteOrder(tx: Tx, orderId: string, userId: string): Promise<void> {
    await this.q.noteOrder(tx, { orderId, userId });
  }
}
