import { and, asc, count, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { reservationLines, reservations, stock } from './schema.ts';
import { param as p, inJsonArray } from '../../../kernel/persistence/statements.ts';

export type StockRow = typeof stock.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;
// A type alias, not an interface: drizzle's prepared statements take it as their placeholder values.
export type Line = { productId: string; quantity: number };

const available = sql`${stock.onHand} - ${stock.reserved}`;
const quantity = p('quantity');
const productId = p('productId');
/** A value in SET: the placeholder bound as is (callers pass driver values). */
const v = (name: string) => sql`${p(name)}`;
/** A SET value that keeps the column when bound to null: partial updates in one statement. */
const orKeep = (name: string, column: (typeof stock)['onHand' | 'lowStockThreshold' | 'belowThreshold']) => sql`coalesce(${p(name)}, ${column})`;

/** Thrown inside the reservation savepoint to undo the lines already held. */
class NotEnoughStock extends Error {}

/** The only place that speaks SQL for the warehouse module. Statements are prepared once, at start. */
export class WarehouseStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    const byProduct = eq(stock.productId, productId);
    const lowStock = lt(available, stock.lowStockThreshold);
    const byOrder = eq(reservations.orderId, p('orderId'));
    this.stmts = {
      // The availability check and the hold are one statement: no interleaving can oversell.
      hold: db.update(stock).set({ reserved: sql`${stock.reserved} + ${quantity}` }).where(and(byProduct, sql`${available} >= ${quantity}`)).prepare(),
      unhold: db.update(stock).set({ reserved: sql`${stock.reserved} - ${quantity}` }).where(byProduct).prepare(),
      ship: db.update(stock).set({ reserved: sql`${stock.reserved} - ${quantity}`, onHand: sql`${stock.onHand} - ${quantity}` }).where(byProduct).prepare(),
      find: db.select().from(stock).where(byProduct).prepare(),
      // One statement for any number of ids: they travel as one JSON array.
      findMany: db.select().from(stock).where(inJsonArray(stock.productId, 'ids')).prepare(),
      listAll: db.select().from(stock).orderBy(asc(stock.productId)).limit(p('limit')).offset(p('offset')).prepare(),
      countAll: db.select({ n: count() }).from(stock).prepare(),
      listLow: db.select().from(stock).where(lowStock).orderBy(asc(stock.productId)).limit(p('limit')).offset(p('offset')).prepare(),
      countLow: db.select({ n: count() }).from(stock).where(lowStock).prepare(),
      addProduct: db.insert(stock).values({
        productId: p('productId'), onHand: p('onHand'), reserved: p('reserved'), lowStockThreshold: p('lowStockThreshold'),
        belowThreshold: p('belowThreshold'), updatedAt: p('updatedAt'),
      }).onConflictDoNothing().prepare(),
      // Columns bound to null keep their value (see `update`).
      update: db.update(stock).set({
        onHand: orKeep('onHand', stock.onHand),
        lowStockThreshold: orKeep('lowStockThreshold', stock.lowStockThreshold),
        belowThreshold: orKeep('belowThreshold', stock.belowThreshold),
        updatedAt: v('updatedAt'),
      }).where(byProduct).prepare(),
      addOnHand: db.update(stock).set({ onHand: sql`${stock.onHand} + ${p('units')}`, updatedAt: v('updatedAt') }).where(byProduct).prepare(),
      reservation: db.select().from(reservations).where(byOrder).prepare(),
      reservationLines: db
        .select({ productId: reservationLines.productId, quantity: reservationLines.quantity })
        .from(reservationLines)
        .where(eq(reservationLines.orderId, p('orderId')))
        .orderBy(asc(reservationLines.productId))
        .prepare(),
      insertReservation: db.insert(reservations).values({
        orderId: p('orderId'), status: p('status'), shortages: p('shortages'), createdAt: p('createdAt'), updatedAt: p('updatedAt'),
      }).prepare(),
      // All of a reservation's lines in one statement, as one JSON array.
      insertLines: db.insert(reservationLines).select(sql`SELECT ${p('orderId')}, json_extract(value, '$.productId'), json_extract(value, '$.quantity') FROM json_each(${p('lines')})`).prepare(),
      setReservationStatus: db.update(reservations).set({ status: sql`${p('status')}`, updatedAt: v('updatedAt') }).where(byOrder).prepare(),
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
    const rows = ids.length ? this.stmts.findMany.all({ ids: JSON.stringify(ids) }) : [];
    return new Map(rows.map((r) => [r.productId, r]));
  }

  list(onlyLowStock: boolean, limit: number, offset: number): { rows: StockRow[]; total: number } {
    const [page, total] = onlyLowStock ? [this.stmts.listLow, this.stmts.countLow] : [this.stmts.listAll, this.stmts.countAll];
    return { rows: page.all({ limit, offset }), total: total.get()?.n ?? 0 };
  }

  /** Inserts the product's row unless it exists; true if inserted. */
  addProduct(row: StockRow): boolean {
    return this.stmts.addProduct.run(row).changes === 1;
  }

  update(id: string, changes: Partial<Pick<StockRow, 'onHand' | 'lowStockThreshold' | 'belowThreshold'>>): void {
    const { onHand, lowStockThreshold, belowThreshold } = changes;
    this.stmts.update.run({
      productId: id,
      onHand: onHand ?? null,
      lowStockThreshold: lowStockThreshold ?? null,
      belowThreshold: belowThreshold === undefined ? null : Number(belowThreshold),
      updatedAt: new Date().toISOString(),
    });
  }

  addOnHand(id: string, units: number): void {
    this.stmts.addOnHand.run({ productId: id, units, updatedAt: new Date().toISOString() });
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
    return this.stmts.reservationLines.all({ orderId });
  }

  recordReservation(row: ReservationRow, lines: Line[]): void {
    this.stmts.insertReservation.run(row);
    if (lines.length) this.stmts.insertLines.run({ orderId: row.orderId, lines: JSON.stringify(lines.map((l) => ({ productId: l.productId, quantity: l.quantity }))) });
  }

  setReservationStatus(orderId: string, status: ReservationRow['status']): void {
    this.stmts.setReservationStatus.run({ orderId, status, updatedAt: new Date().toISOString() });
  }
}
