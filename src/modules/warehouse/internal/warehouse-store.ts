import { and, asc, count, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { reservationLines, reservations, stock } from './schema.ts';

export type StockRow = typeof stock.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;
// A type alias, not an interface: drizzle's prepared statements take it as their placeholder values.
export type Line = { productId: string; quantity: number };

const available = sql`${stock.onHand} - ${stock.reserved}`;
const quantity = sql.placeholder('quantity');
const productId = sql.placeholder('productId');

/** Thrown inside the reservation savepoint to undo the lines already held. */
class NotEnoughStock extends Error {}

/** The only place that speaks SQL for the warehouse module. */
export class WarehouseStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    const byProduct = eq(stock.productId, productId);
    this.stmts = {
      // The availability check and the hold are one statement: no interleaving can oversell.
      hold: db.update(stock).set({ reserved: sql`${stock.reserved} + ${quantity}` }).where(and(byProduct, sql`${available} >= ${quantity}`)).prepare(),
      unhold: db.update(stock).set({ reserved: sql`${stock.reserved} - ${quantity}` }).where(byProduct).prepare(),
      ship: db.update(stock).set({ reserved: sql`${stock.reserved} - ${quantity}`, onHand: sql`${stock.onHand} - ${quantity}` }).where(byProduct).prepare(),
      find: db.select().from(stock).where(byProduct).prepare(),
      reservation: db.select().from(reservations).where(eq(reservations.orderId, sql.placeholder('orderId'))).prepare(),
    };
  }

  /**
   * Runs `work` holding SQLite's write lock from the start (BEGIN IMMEDIATE), so processes sharing
   * the file queue up instead of deadlocking on a read-then-write upgrade.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  find(id: string): StockRow | undefined {
    return this.stmts.find.get({ productId: id });
  }

  findMany(ids: string[]): Map<string, StockRow> {
    const rows = ids.length ? this.db.select().from(stock).where(inArray(stock.productId, ids)).all() : [];
    return new Map(rows.map((r) => [r.productId, r]));
  }

  list(onlyLowStock: boolean, limit: number, offset: number): { rows: StockRow[]; total: number } {
    const where = onlyLowStock ? lt(available, stock.lowStockThreshold) : undefined;
    const rows = this.db.select().from(stock).where(where).orderBy(asc(stock.productId)).limit(limit).offset(offset).all();
    const total = this.db.select({ n: count() }).from(stock).where(where).get()?.n ?? 0;
    return { rows, total };
  }

  /** Inserts the product's row unless it exists; true if inserted. */
  addProduct(row: StockRow): boolean {
    return this.db.insert(stock).values(row).onConflictDoNothing().run().changes === 1;
  }

  update(id: string, changes: Partial<Pick<StockRow, 'onHand' | 'lowStockThreshold' | 'belowThreshold'>>): void {
    this.db.update(stock).set({ ...changes, updatedAt: new Date().toISOString() }).where(eq(stock.productId, id)).run();
  }

  addOnHand(id: string, units: number): void {
    this.db.update(stock).set({ onHand: sql`${stock.onHand} + ${units}`, updatedAt: new Date().toISOString() }).where(eq(stock.productId, id)).run();
  }

  /** Holds every line or none (a savepoint is undone on the first line that does not fit). */
  holdAll(lines: Line[]): boolean {
    try {
      this.db.transaction(() => {
        for (const line of lines) if (this.stmts.hold.run(line).changes !== 1) throw new NotEnoughStock();
      });
      return true;
    } catch (err) {
      if (err instanceof NotEnoughStock) return false;
      throw err;
    }
  }

  unholdAll(lines: Line[]): void {
    for (const line of lines) this.stmts.unhold.run(line);
  }

  /** Takes held units off on-hand: they left the building. */
  shipAll(lines: Line[]): void {
    for (const line of lines) this.stmts.ship.run(line);
  }

  reservation(orderId: string): ReservationRow | undefined {
    return this.stmts.reservation.get({ orderId });
  }

  reservationLines(orderId: string): Line[] {
    return this.db
      .select({ productId: reservationLines.productId, quantity: reservationLines.quantity })
      .from(reservationLines)
      .where(eq(reservationLines.orderId, orderId))
      .orderBy(asc(reservationLines.productId))
      .all();
  }

  recordReservation(row: ReservationRow, lines: Line[]): void {
    this.db.insert(reservations).values(row).run();
    if (lines.length) this.db.insert(reservationLines).values(lines.map((l) => ({ orderId: row.orderId, ...l }))).run();
  }

  setReservationStatus(orderId: string, status: ReservationRow['status']): void {
    this.db.update(reservations).set({ status, updatedAt: new Date().toISOString() }).where(eq(reservations.orderId, orderId)).run();
  }
}
