import { and, asc, count, eq, lte, sql } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { MAX_UNITS } from '../contract.ts';
import { schemas } from './tables.ts';

export type CartLineRow = typeof schemas.postgres.cartLines.$inferSelect;

/** Most distinct products in one cart (one cart read asks the catalog for all of them at once). */
export const MAX_LINES = 100;

export type AddOutcome = 'added' | 'too_many_units' | 'too_many_lines';

/** The only place that speaks SQL for the cart module, the same on both engines. */
export class CartStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  /** Lines in the order they were added (lines added within one millisecond: by product id). */
  lines(userId: string, on: Executor = this.db): Promise<CartLineRow[]> {
    const { cartLines } = this.t;
    return on.sql.select().from(cartLines).where(eq(cartLines.userId, userId)).orderBy(asc(cartLines.addedAt), asc(cartLines.productId));
  }

  /** Adds units to a line, creating it; refuses (changing nothing) past MAX_UNITS or MAX_LINES. */
  addUnits(userId: string, productId: string, quantity: number, addedAt: string): Promise<AddOutcome> {
    const { cartLines } = this.t;
    // One transaction: the line count checked is still true when the line is written, across replicas too.
    return this.db.transaction(async (tx) => {
      const [existing] = await tx.sql.select({ quantity: cartLines.quantity }).from(cartLines).where(this.line(userId, productId));
      if (existing && existing.quantity + quantity > MAX_UNITS) return 'too_many_units';
      if (!existing && (await this.countLines(tx, userId)) >= MAX_LINES) return 'too_many_lines';
      await tx.sql
        .insert(cartLines)
        .values({ userId, productId, quantity, addedAt })
        .onConflictDoUpdate({ target: [cartLines.userId, cartLines.productId], set: { quantity: sql`${cartLines.quantity} + excluded.quantity` } });
      return 'added';
    });
  }

  /** False when the cart has no such line. */
  setQuantity(userId: string, productId: string, quantity: number): Promise<boolean> {
    const { cartLines } = this.t;
    return this.db.transaction(async (tx) => {
      const changed = await tx.sql.update(cartLines).set({ quantity }).where(this.line(userId, productId)).returning({ userId: cartLines.userId });
      return changed.length > 0;
    });
  }

  /** False when the cart has no such line. */
  removeLine(userId: string, productId: string): Promise<boolean> {
    const { cartLines } = this.t;
    return this.db.transaction(async (tx) => (await tx.sql.delete(cartLines).where(this.line(userId, productId)).returning({ userId: cartLines.userId })).length > 0);
  }

  async clear(userId: string): Promise<void> {
    const { cartLines } = this.t;
    await this.db.transaction((tx) => tx.sql.delete(cartLines).where(eq(cartLines.userId, userId)));
  }

  /** Takes units off lines (an order took them); lines left with none are removed. */
  async takeUnits(tx: Tx, userId: string, taken: Array<{ productId: string; quantity: number }>): Promise<void> {
    const { cartLines } = this.t;
    for (const t of taken) {
      await tx.sql.update(cartLines).set({ quantity: sql`${cartLines.quantity} - ${t.quantity}` }).where(this.line(userId, t.productId));
    }
    await tx.sql.delete(cartLines).where(and(eq(cartLines.userId, userId), lte(cartLines.quantity, 0)));
  }

  private line(userId: string, productId: string) {
    const { cartLines } = this.t;
    return and(eq(cartLines.userId, userId), eq(cartLines.productId, productId));
  }

  private async countLines(on: Executor, userId: string): Promise<number> {
    const { cartLines } = this.t;
    const [row] = await on.sql.select({ n: count() }).from(cartLines).where(eq(cartLines.userId, userId));
    return row?.n ?? 0;
  }
}
