import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { wishlistItems } from './schema.ts';

export type WishlistRow = typeof wishlistItems.$inferSelect;

/** Most products on one wishlist (showing it asks the catalog and the warehouse for all at once). */
export const MAX_ITEMS = 200;

/** Items added within one millisecond keep the order they were added in. */
const ADDED_ORDER = sql`rowid`;

const item = (userId: string, productId: string) => and(eq(wishlistItems.userId, userId), eq(wishlistItems.productId, productId));

/** The only place that speaks SQL for the wishlist module. */
export class WishlistStore {
  constructor(private readonly db: Db) {}

  /** Immediate: what a change reads first is still true when it writes, across replicas too. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  /** Newest first. */
  items(userId: string): WishlistRow[] {
    return this.db.select().from(wishlistItems).where(eq(wishlistItems.userId, userId)).orderBy(desc(wishlistItems.addedAt), desc(ADDED_ORDER)).all();
  }

  has(userId: string, productId: string): boolean {
    return this.db.select({ userId: wishlistItems.userId }).from(wishlistItems).where(item(userId, productId)).get() !== undefined;
  }

  count(userId: string): number {
    return this.db.select({ n: count() }).from(wishlistItems).where(eq(wishlistItems.userId, userId)).get()?.n ?? 0;
  }

  /** False when it was already there. */
  add(row: WishlistRow): boolean {
    return this.db.insert(wishlistItems).values(row).onConflictDoNothing().run().changes > 0;
  }

  /** False when it was not there. */
  remove(userId: string, productId: string): boolean {
    return this.db.delete(wishlistItems).where(item(userId, productId)).run().changes > 0;
  }

  hasWishers(productId: string): boolean {
    return this.db.select({ userId: wishlistItems.userId }).from(wishlistItems).where(eq(wishlistItems.productId, productId)).limit(1).get() !== undefined;
  }

  /** Everyone who wishes for a product. */
  wishers(productId: string): string[] {
    return this.db.select({ userId: wishlistItems.userId }).from(wishlistItems).where(eq(wishlistItems.productId, productId)).all().map((r) => r.userId);
  }
}
