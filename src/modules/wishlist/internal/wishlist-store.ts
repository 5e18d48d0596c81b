import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { wishlistItems } from './schema.ts';
import { param as p } from '../../../kernel/persistence/statements.ts';

export type WishlistRow = typeof wishlistItems.$inferSelect;

/** Most products on one wishlist (showing it asks the catalog and the warehouse for all at once). */
export const MAX_ITEMS = 200;

/** Items added within one millisecond keep the order they were added in. */
const ADDED_ORDER = sql`rowid`;

/** The only place that speaks SQL for the wishlist module. Statements are prepared once, at start. */
export class WishlistStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const ofUser = eq(wishlistItems.userId, p('userId'));
    const ofProduct = eq(wishlistItems.productId, p('productId'));
    const item = and(ofUser, ofProduct);
    this.q = {
      items: db.select().from(wishlistItems).where(ofUser).orderBy(desc(wishlistItems.addedAt), desc(ADDED_ORDER)).prepare(),
      has: db.select({ userId: wishlistItems.userId }).from(wishlistItems).where(item).prepare(),
      count: db.select({ n: count() }).from(wishlistItems).where(ofUser).prepare(),
      add: db.insert(wishlistItems).values({ userId: p('userId'), productId: p('productId'), addedAt: p('addedAt') }).onConflictDoNothing().prepare(),
      remove: db.delete(wishlistItems).where(item).prepare(),
      anyWisher: db.select({ userId: wishlistItems.userId }).from(wishlistItems).where(ofProduct).limit(1).prepare(),
      wishers: db.select({ userId: wishlistItems.userId }).from(wishlistItems).where(ofProduct).prepare(),
    };
  }

  /** Immediate: what a change reads first is still true when it writes, across replicas too. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  /** Newest first. */
  items(userId: string): WishlistRow[] {
    return this.q.items.all({ userId });
  }

  has(userId: string, productId: string): boolean {
    return this.q.has.get({ userId, productId }) !== undefined;
  }

  count(userId: string): number {
    return this.q.count.get({ userId })?.n ?? 0;
  }

  /** False when it was already there. */
  add(row: WishlistRow): boolean {
    return this.q.add.run({ userId: row.userId, productId: row.productId, addedAt: row.addedAt }).changes > 0;
  }

  /** False when it was not there. */
  remove(userId: string, productId: string): boolean {
    return this.q.remove.run({ userId, productId }).changes > 0;
  }

  hasWishers(productId: string): boolean {
    return this.q.anyWisher.get({ productId }) !== undefined;
  }

  /** Everyone who wishes for a product. */
  wishers(productId: string): string[] {
    return this.q.wishers.all({ productId }).map((r) => r.userId);
  }
}
