import { and, asc, count, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { cartLines } from './schema.ts';

export type CartLineRow = typeof cartLines.$inferSelect;

/** Most units of one product a cart may hold. */
export const MAX_UNITS = 99;
/** Most distinct products in one cart (one cart read asks the catalog for all of them at once). */
export const MAX_LINES = 100;

export type AddOutcome = 'added' | 'too_many_units' | 'too_many_lines';

/** Lines added within one millisecond keep the order they were added in. */
const ADDED_ORDER = sql`rowid`;

const line = (userId: string, productId: string) => and(eq(cartLines.userId, userId), eq(cartLines.productId, productId));

/** The only place that speaks SQL for the cart module. */
export class CartStore {
  constructor(private readonly db: Db) {}

  lines(userId: string): CartLineRow[] {
    return this.db.select().from(cartLines).where(eq(cartLines.userId, userId)).orderBy(asc(cartLines.addedAt), asc(ADDED_ORDER)).all();
  }

  /** Adds units to a line, creating it; refuses (changing nothing) past MAX_UNITS or MAX_LINES. */
  addUnits(userId: string, productId: string, quantity: number, addedAt: string): AddOutcome {
    // Immediate: the line count checked is still true when the line is written, across replicas too.
    return this.db.transaction(() => {
      const existing = this.db.select({ quantity: cartLines.quantity }).from(cartLines).where(line(userId, productId)).get();
      if (existing && existing.quantity + quantity > MAX_UNITS) return 'too_many_units';
      if (!existing && this.countLines(userId) >= MAX_LINES) return 'too_many_lines';
      this.db.insert(cartLines).values({ userId, productId, quantity, addedAt })
        .onConflictDoUpdate({ target: [cartLines.userId, cartLines.productId], set: { quantity: sql`${cartLines.quantity} + excluded.quantity` } })
        .run();
      return 'added';
    }, { behavior: 'immediate' });
  }

  /** False when the cart has no such line. */
  setQuantity(userId: string, productId: string, quantity: number): boolean {
    return this.db.update(cartLines).set({ quantity }).where(line(userId, productId)).run().changes > 0;
  }

  /** False when the cart has no such line. */
  removeLine(userId: string, productId: string): boolean {
    return this.db.delete(cartLines).where(line(userId, productId)).run().changes > 0;
  }

  clear(userId: string): void {
    this.db.delete(cartLines).where(eq(cartLines.userId, userId)).run();
  }

  /** Takes units off lines (an order took them); lines left with none are removed. */
  takeUnits(userId: string, taken: Array<{ productId: string; quantity: number }>): void {
    for (const t of taken) {
      this.db.update(cartLines).set({ quantity: sql`${cartLines.quantity} - ${t.quantity}` }).where(line(userId, t.productId)).run();
    }
    this.db.delete(cartLines).where(and(eq(cartLines.userId, userId), lte(cartLines.quantity, 0))).run();
  }

  private countLines(userId: string): number {
    return this.db.select({ n: count() }).from(cartLines).where(eq(cartLines.userId, userId)).get()?.n ?? 0;
  }
}
