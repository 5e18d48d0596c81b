import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type WishlistRow = typeof schemas.postgres.wishlistItems.$inferSelect;

/** Most products on one wishlist (showing it asks the catalog and the warehouse for all at once). */
export const MAX_ITEMS = 200;

/** The only place that speaks SQL for the wishlist module, the same on both engines. */
export class WishlistStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  /**
   * One write transaction: what a change reads first is still true when it writes, across replicas
   * too (the module's transactions run one at a time on both engines).
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Newest first; items added within one millisecond keep the order they were added in. */
  items(userId: string): Promise<WishlistRow[]> {
    const { wishlistItems } = this.t;
    return this.db.sql.select().from(wishlistItems).where(eq(wishlistItems.userId, userId)).orderBy(desc(wishlistItems.addedAt), desc(wishlistItems.seq));
  }

  async has(userId: string, productId: string, on: Executor = this.db): Promise<boolean> {
    const { wishlistItems } = this.t;
    const [row] = await on.sql.select({ userId: wishlistItems.userId }).from(wishlistItems).where(this.item(userId, productId));
    return row !== undefined;
  }

  async count(on: Executor, userId: string): Promise<number> {
    const { wishlistItems } = this.t;
    const [row] = await on.sql.select({ n: count() }).from(wishlistItems).where(eq(wishlistItems.userId, userId));
    return row?.n ?? 0;
  }

  /** Adds the item unless it is there (callers ask `has` first); numbered after the list's other items (in the module's one-at-a-time transaction). */
  async add(tx: Tx, row: Omit<WishlistRow, 'seq'>): Promise<void> {
    const { wishlistItems } = this.t;
    const seq = sql<number>`(SELECT coalesce(max(${wishlistItems.seq}), 0) + 1 FROM ${wishlistItems} WHERE ${wishlistItems.userId} = ${row.userId})`;
    await tx.sql.insert(wishlistItems).values({ ...row, seq }).onConflictDoNothing();
  }

  /** False when it was not there. */
  async remove(tx: Tx, userId: string, productId: string): Promise<boolean> {
    const { wishlistItems } = this.t;
    const removed = await tx.sql.delete(wishlistItems).where(this.item(userId, productId)).returning({ userId: wishlistItems.userId });
    return removed.length > 0;
  }

  async hasWishers(productId: string): Promise<boolean> {
    const { wishlistItems } = this.t;
    const [row] = await this.db.sql.select({ userId: wishlistItems.userId }).from(wishlistItems).where(eq(wishlistItems.productId, productId)).limit(1);
    return row !== undefined;
  }

  /** Everyone who wishes for a product. */
  async wishers(on: Executor, productId: string): Promise<string[]> {
    const { wishlistItems } = this.t;
    const rows = await on.sql.select({ userId: wishlistItems.userId }).from(wishlistItems).where(eq(wishlistItems.productId, productId));
    return rows.map((r) => r.userId);
  }

  private item(userId: string, productId: string) {
    const { wishlistItems } = this.t;
    return and(eq(wishlistItems.userId, userId), eq(wishlistItems.productId, productId));
  }
}
