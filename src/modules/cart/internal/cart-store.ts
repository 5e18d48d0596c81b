import { and, asc, count, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { MAX_UNITS } from '../contract.ts';
import { cartLines } from './schema.ts';
import { param as p } from '../../../kernel/persistence/statements.ts';

export type CartLineRow = typeof cartLines.$inferSelect;

/** Most distinct products in one cart (one cart read asks the catalog for all of them at once). */
export const MAX_LINES = 100;

export type AddOutcome = 'added' | 'too_many_units' | 'too_many_lines';

/** Lines added within one millisecond keep the order they were added in. */
const ADDED_ORDER = sql`rowid`;

/** The only place that speaks SQL for the cart module. Statements are prepared once, at start. */
export class CartStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const ofUser = eq(cartLines.userId, p('userId'));
    const line = and(ofUser, eq(cartLines.productId, p('productId')));
    this.q = {
      lines: db.select().from(cartLines).where(ofUser).orderBy(asc(cartLines.addedAt), asc(ADDED_ORDER)).prepare(),
      lineQuantity: db.select({ quantity: cartLines.quantity }).from(cartLines).where(line).prepare(),
      countLines: db.select({ n: count() }).from(cartLines).where(ofUser).prepare(),
      addUnits: db
        .insert(cartLines)
        .values({ userId: p('userId'), productId: p('productId'), quantity: p('quantity'), addedAt: p('addedAt') })
        .onConflictDoUpdate({ target: [cartLines.userId, cartLines.productId], set: { quantity: sql`${cartLines.quantity} + excluded.quantity` } })
        .prepare(),
      setQuantity: db.update(cartLines).set({ quantity: sql`${p('quantity')}` }).where(line).prepare(),
      removeLine: db.delete(cartLines).where(line).prepare(),
      clear: db.delete(cartLines).where(ofUser).prepare(),
      takeUnits: db.update(cartLines).set({ quantity: sql`${cartLines.quantity} - ${p('quantity')}` }).where(line).prepare(),
      removeEmpty: db.delete(cartLines).where(and(ofUser, lte(cartLines.quantity, 0))).prepare(),
    };
  }

  lines(userId: string): CartLineRow[] {
    return this.q.lines.all({ userId });
  }

  /** Adds units to a line, creating it; refuses (changing nothing) past MAX_UNITS or MAX_LINES. */
  addUnits(userId: string, productId: string, quantity: number, addedAt: string): AddOutcome {
    // Immediate: the line count checked is still true when the line is written, across replicas too.
    return this.db.transaction(() => {
      const existing = this.q.lineQuantity.get({ userId, productId });
      if (existing && existing.quantity + quantity > MAX_UNITS) return 'too_many_units';
      if (!existing && this.countLines(userId) >= MAX_LINES) return 'too_many_lines';
      this.q.addUnits.run({ userId, productId, quantity, addedAt });
      return 'added';
    }, { behavior: 'immediate' });
  }

  /** False when the cart has no such line. */
  setQuantity(userId: string, productId: string, quantity: number): boolean {
    return this.q.setQuantity.run({ userId, productId, quantity }).changes > 0;
  }

  /** False when the cart has no such line. */
  removeLine(userId: string, productId: string): boolean {
    return this.q.removeLine.run({ userId, productId }).changes > 0;
  }

  clear(userId: string): void {
    this.q.clear.run({ userId });
  }

  /** Takes units off lines (an order took them); lines left with none are removed. */
  takeUnits(userId: string, taken: Array<{ productId: string; quantity: number }>): void {
    for (const t of taken) this.q.takeUnits.run({ userId, productId: t.productId, quantity: t.quantity });
    this.q.removeEmpty.run({ userId });
  }

  private countLines(userId: string): number {
    return this.q.countLines.get({ userId })?.n ?? 0;
  }
}
