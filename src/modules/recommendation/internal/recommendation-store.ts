import { eq, sql } from 'drizzle-orm';
import type { Db, Sqlite } from '../../../kernel/persistence/database.ts';
import { orders } from './schema.ts';

export type OrderRow = typeof orders.$inferSelect;

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

const NOT_MINE = `NOT IN (SELECT product_id FROM user_purchases WHERE user_id = @userId
                          UNION SELECT product_id FROM wishes WHERE user_id = @userId)`;

/** The only place that speaks SQL for the recommendation module. */
export class RecommendationStore {
  private readonly s;

  constructor(
    private readonly db: Db,
    sqlite: Sqlite,
  ) {
    this.s = {
      order: db.select().from(orders).where(eq(orders.orderId, sql.placeholder('orderId'))).prepare(),
      // Archiving is final, so an update that arrives late does not bring a product back.
      upsertProduct: sqlite.prepare(
        `INSERT INTO products (product_id, category_id, active, created_at) VALUES (@productId, @categoryId, @active, @createdAt)
         ON CONFLICT (product_id) DO UPDATE SET category_id = excluded.category_id, active = products.active AND excluded.active,
           created_at = excluded.created_at`,
      ),
      archive: sqlite.prepare(
        `INSERT INTO products (product_id, active) VALUES (?, 0) ON CONFLICT (product_id) DO UPDATE SET active = 0`,
      ),
      noteOrder: sqlite.prepare(`INSERT INTO orders (order_id, user_id) VALUES (?, ?) ON CONFLICT (order_id) DO NOTHING`),
      linesKnown: sqlite.prepare(`UPDATE orders SET lines_known = 1 WHERE order_id = ?`),
      paid: sqlite.prepare(`UPDATE orders SET paid = 1 WHERE order_id = ?`),
      counted: sqlite.prepare(`UPDATE orders SET counted = 1 WHERE order_id = ?`),
      addLine: sqlite.prepare(`INSERT INTO order_lines (order_id, product_id) VALUES (?, ?) ON CONFLICT DO NOTHING`),
      lines: sqlite.prepare(`SELECT product_id FROM order_lines WHERE order_id = ? ORDER BY product_id`).pluck(),
      bought: sqlite.prepare(
        `INSERT INTO products (product_id, purchases) VALUES (?, 1) ON CONFLICT (product_id) DO UPDATE SET purchases = purchases + 1`,
      ),
      together: sqlite.prepare(
        `INSERT INTO bought_together (product_id, other_id, orders) VALUES (?, ?, 1)
         ON CONFLICT (product_id, other_id) DO UPDATE SET orders = orders + 1`,
      ),
      ownedBy: sqlite.prepare(`INSERT INTO user_purchases (user_id, product_id) VALUES (?, ?) ON CONFLICT DO NOTHING`),
      wish: sqlite.prepare(`INSERT INTO wishes (user_id, product_id) VALUES (?, ?) ON CONFLICT DO NOTHING`),
      unwish: sqlite.prepare(`DELETE FROM wishes WHERE user_id = ? AND product_id = ?`),
      // CROSS JOIN fixes the join order (SQLite's rule): start from this product's pairs. Left to
      // itself, the planner walked every active product and probed the pairs for each one.
      boughtWith: sqlite.prepare(
        `SELECT t.other_id AS productId, t.orders AS together, 0 AS wishes, p.purchases AS purchases, p.created_at AS createdAt
         FROM bought_together t CROSS JOIN products p ON p.product_id = t.other_id AND p.active = 1
         WHERE t.product_id = @productId
         ORDER BY t.orders DESC, p.purchases DESC, p.created_at DESC, t.other_id LIMIT @limit`,
      ),
      sameCategory: sqlite.prepare(
        `SELECT p.product_id AS productId, 0 AS together, 0 AS wishes, p.purchases AS purchases, p.created_at AS createdAt
         FROM products me JOIN products p ON p.category_id = me.category_id AND p.active = 1 AND p.product_id <> me.product_id
         WHERE me.product_id = @productId
         ORDER BY p.purchases DESC, p.created_at DESC, p.product_id LIMIT @limit`,
      ),
      boughtWithMine: sqlite.prepare(
        `SELECT t.other_id AS productId, SUM(t.orders) AS together, 0 AS wishes, p.purchases AS purchases, p.created_at AS createdAt
         FROM user_purchases mine
         CROSS JOIN bought_together t ON t.product_id = mine.product_id
         CROSS JOIN products p ON p.product_id = t.other_id AND p.active = 1
         WHERE mine.user_id = @userId AND t.other_id ${NOT_MINE}
         GROUP BY t.other_id ORDER BY together DESC, p.purchases DESC, p.created_at DESC, t.other_id LIMIT @limit`,
      ),
      likeMyWishes: sqlite.prepare(
        `SELECT p.product_id AS productId, 0 AS together, COUNT(*) AS wishes, p.purchases AS purchases, p.created_at AS createdAt
         FROM wishes w
         JOIN products wished ON wished.product_id = w.product_id
         JOIN products p ON p.category_id = wished.category_id AND p.active = 1
         WHERE w.user_id = @userId AND p.product_id ${NOT_MINE}
         GROUP BY p.product_id ORDER BY wishes DESC, p.purchases DESC, p.created_at DESC, p.product_id LIMIT @limit`,
      ),
      popularForUser: sqlite.prepare(
        `SELECT product_id AS productId, 0 AS together, 0 AS wishes, purchases, created_at AS createdAt
         FROM products WHERE active = 1 AND product_id ${NOT_MINE}
         ORDER BY purchases DESC, created_at DESC, product_id LIMIT @limit`,
      ),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work());
  }

  saveProduct(productId: string, categoryId: string, active: boolean, createdAt: string): void {
    this.s.upsertProduct.run({ productId, categoryId, active: active ? 1 : 0, createdAt });
  }

  archiveProduct(productId: string): void {
    this.s.archive.run(productId);
  }

  order(orderId: string): OrderRow | undefined {
    return this.s.order.get({ orderId });
  }

  saveOrderLines(orderId: string, userId: string, productIds: string[]): void {
    this.s.noteOrder.run(orderId, userId);
    for (const productId of productIds) this.s.addLine.run(orderId, productId);
    this.s.linesKnown.run(orderId);
  }

  markPaid(orderId: string, userId: string): void {
    this.s.noteOrder.run(orderId, userId);
    this.s.paid.run(orderId);
  }

  orderLines(orderId: string): string[] {
    return this.s.lines.all(orderId) as string[];
  }

  /** Adds one paid order to popularity, pair counts and the buyer's purchases. */
  countPurchase(order: OrderRow, productIds: string[]): void {
    for (const a of productIds) {
      this.s.bought.run(a);
      this.s.ownedBy.run(order.userId, a);
      for (const b of productIds) if (a !== b) this.s.together.run(a, b);
    }
    this.s.counted.run(order.orderId);
  }

  addWish(userId: string, productId: string): void {
    this.s.wish.run(userId, productId);
  }

  removeWish(userId: string, productId: string): void {
    this.s.unwish.run(userId, productId);
  }

  boughtWith(productId: string, limit: number): Signal[] {
    return this.s.boughtWith.all({ productId, limit }) as Signal[];
  }

  sameCategory(productId: string, limit: number): Signal[] {
    return this.s.sameCategory.all({ productId, limit }) as Signal[];
  }

  /** Products co-bought with what the user bought, not bought or wished by them. */
  boughtWithMine(userId: string, limit: number): Signal[] {
    return this.s.boughtWithMine.all({ userId, limit }) as Signal[];
  }

  /** Products in the categories of the user's wishes, not bought or wished by them. */
  likeMyWishes(userId: string, limit: number): Signal[] {
    return this.s.likeMyWishes.all({ userId, limit }) as Signal[];
  }

  /** The most bought products the user has neither bought nor wished; the newest first among equals. */
  popularFor(userId: string, limit: number): Signal[] {
    return this.s.popularForUser.all({ userId, limit }) as Signal[];
  }
}
