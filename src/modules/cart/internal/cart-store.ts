import { and, asc, count, eq, inArray, lte, sql } from 'drizzle-orm';
import { param, prepared, setParam } from '../../../kernel/persistence/prepared.ts';
import { integerByKey } from '../../../kernel/persistence/sql-pieces.ts';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { MAX_UNITS } from '../contract.ts';
import { schemas } from './tables.ts';

export type CartLineRow = typeof schemas.postgres.cartLines.$inferSelect;

/** Most distinct products in one cart (one cart read asks the catalog for all of them at once). */
export const MAX_LINES = 100;

export type AddOutcome = 'added' | 'too_many_units' | 'too_many_lines';

/**
 * The only place that speaks SQL for the cart module, the same on both engines. Every query runs
 * per request, so each is prepared (kernel prepared.ts): built once per connection, then only run.
 */
export class CartStore {
  private readonly t;
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { cartLines } = this.t;
    const line = and(eq(cartLines.userId, param('userId')), eq(cartLines.productId, param('productId')));
    this.q = {
      // Lines in the order they were added (lines added within one millisecond: by product id).
      lines: prepared('cart_lines', (d) =>
        d.select().from(cartLines).where(eq(cartLines.userId, param('userId'))).orderBy(asc(cartLines.addedAt), asc(cartLines.productId))),
      lineQuantity: prepared('cart_line_quantity', (d) => d.select({ quantity: cartLines.quantity }).from(cartLines).where(line)),
      lineCount: prepared('cart_line_count', (d) => d.select({ n: count() }).from(cartLines).where(eq(cartLines.userId, param('userId')))),
      addUnits: prepared('cart_add_units', (d) =>
        d
          .insert(cartLines)
          .values({ userId: param('userId'), productId: param('productId'), quantity: param('quantity'), addedAt: param('addedAt') })
          .onConflictDoUpdate({ target: [cartLines.userId, cartLines.productId], set: { quantity: sql`${cartLines.quantity} + excluded.quantity` } })),
      setQuantity: prepared('cart_set_quantity', (d) =>
        d.update(cartLines).set({ quantity: setParam('quantity') }).where(line).returning({ userId: cartLines.userId })),
      removeLine: prepared('cart_remove_line', (d) => d.delete(cartLines).where(line).returning({ userId: cartLines.userId })),
      clear: prepared('cart_clear', (d) => d.delete(cartLines).where(eq(cartLines.userId, param('userId')))),
      takeUnits: prepared('cart_take_units', (d) => d.update(cartLines).set({ quantity: sql`${cartLines.quantity} - ${param('quantity')}` }).where(line)),
      dropEmpty: prepared('cart_drop_empty', (d) => d.delete(cartLines).where(and(eq(cartLines.userId, param('userId')), lte(cartLines.quantity, 0)))),
    };
  }

  /** Runs `work` in one transaction of the cart module's database (pass the `tx` to the methods that take one). */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Lines in the order they were added (lines added within one millisecond: by product id). */
  lines(userId: string, on: Executor = this.db): Promise<CartLineRow[]> {
    return this.q.lines(on, { userId });
  }

  /** Adds units to a line, creating it; refuses (changing nothing) past MAX_UNITS or MAX_LINES. */
  addUnits(userId: string, productId: string, quantity: number, addedAt: string): Promise<AddOutcome> {
    // One transaction: the line count checked is still true when the line is written, across replicas too.
    return this.db.transaction(async (tx) => {
      const [existing] = await this.q.lineQuantity(tx, { userId, productId });
      if (existing && existing.quantity + quantity > MAX_UNITS) return 'too_many_units';
      if (!existing && (await this.countLines(tx, userId)) >= MAX_LINES) return 'too_many_lines';
      await this.q.addUnits(tx, { userId, productId, quantity, addedAt });
      return 'added';
    });
  }

  /** False when the cart has no such line. */
  setQuantity(userId: string, productId: string, quantity: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await this.q.setQuantity(tx, { userId, productId, quantity });
      return changed.length > 0;
    });
  }

  /** False when the cart has no such line. */
  removeLine(userId: string, productId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => (await this.q.removeLine(tx, { userId, productId })).length > 0);
  }

  async clear(userId: string): Promise<void> {
    await this.db.transaction((tx) => this.q.clear(tx, { userId }));
  }

  /** Takes units off lines (an order took them); lines left with none are removed. */
  async takeUnits(tx: Tx, userId: string, taken: Array<{ productId: string; quantity: number }>): Promise<void> {
    if (taken.length === 1) {
      await this.q.takeUnits(tx, { userId, productId: taken[0].productId, quantity: taken[0].quantity });
    } else if (taken.length > 1) {
      // One statement for every line (one round trip on PostgreSQL), each by its own amount.
      const { cartLines } = this.t;
      const amounts = taken.map((t) => [t.productId, t.quantity] as const);
      await tx.sql
        .update(cartLines)
        .set({ quantity: sql`${cartLines.quantity} - ${integerByKey(cartLines.productId, amounts)}` })
        .where(and(eq(cartLines.userId, userId), inArray(cartLines.productId, amounts.map(([productId]) => productId))));
    }
    await this.q.dropEmpty(tx, { userId });
  }

  /**
   * Removes the cart's lines of these products and answers them as they were, in the order they
   * were added. Deleting is what claims them: of two merges of one cart at once, only one gets them.
   */
  async takeLines(tx: Tx, userId: string, productIds: string[]): Promise<CartLineRow[]> {
    if (productIds.length === 0) return [];
    const { cartLines } = this.t;
    const taken = await tx.sql.delete(cartLines).where(and(eq(cartLines.userId, userId), inArray(cartLines.productId, productIds))).returning();
    return taken.sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.productId.localeCompare(b.productId));
  }

  /**
   * Adds units to lines, creating those that are missing (with the given addedAt), in one
   * statement. A line never ends above MAX_UNITS, even if units were added to it meanwhile.
   */
  async addLines(tx: Tx, userId: string, lines: Array<{ productId: string; quantity: number; addedAt: string }>): Promise<void> {
    if (lines.length === 0) return;
    const { cartLines } = this.t;
    const sum = sql`${cartLines.quantity} + excluded.quantity`;
    const max = sql.raw(String(MAX_UNITS));
    await tx.sql
      .insert(cartLines)
      .values(lines.map(({ productId, quantity, addedAt }) => ({ userId, productId, quantity, addedAt })))
      .onConflictDoUpdate({ target: [cartLines.userId, cartLines.productId], set: { quantity: sql`CASE WHEN ${sum} > ${max} THEN ${max} ELSE ${sum} END` } });
  }

  private async countLines(on: Executor, userId: string): Promise<number> {
    const [row] = await this.q.lineCount(on, { userId });
    return row?.n ?? 0;
  }
}
