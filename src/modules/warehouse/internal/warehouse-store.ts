import { and, asc, count, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { param, prepared, setParam } from '../../../kernel/persistence/prepared.ts';
import { integerByKey } from '../../../kernel/persistence/sql-pieces.ts';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type StockRow = typeof schemas.postgres.stock.$inferSelect;
export type ReservationRow = typeof schemas.postgres.reservations.$inferSelect;
export type Line = { productId: string; quantity: number };

/**
 * The only place that speaks SQL for the warehouse module, the same on both engines. Reads take
 * the executor last (the module's database unless a transaction is passed); writes take the
 * transaction first, so the service composes several in one.
 */
export class WarehouseStore {
  private readonly t;
  /**
   * The queries of reservation (every checkout, release and commit), built once per connection
   * (kernel prepared.ts). Those over an order's lines have a one-line form here, the common case;
   * more lines are built per call, as their statement grows with the lines.
   */
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { stock, reservations, reservationLines } = this.t;
    const quantity = sql`CAST(${param('quantity')} AS integer)`;
    this.q = {
      stockById: prepared('stock_by_id', (d) => d.select().from(stock).where(eq(stock.productId, param('productId')))),
      holdOne: prepared('stock_hold_one', (d) =>
        d
          .update(stock)
          .set({ reserved: sql`${stock.reserved} + ${quantity}` })
          .where(and(eq(stock.productId, param('productId')), sql`${this.available()} >= ${quantity}`))
          .returning({ productId: stock.productId }),
      ),
      unholdOne: prepared('stock_unhold_one', (d) => d.update(stock).set({ reserved: sql`${stock.reserved} - ${quantity}` }).where(eq(stock.productId, param('productId')))),
      shipOne: prepared('stock_ship_one', (d) =>
        d
          .update(stock)
          .set({ reserved: sql`${stock.reserved} - ${quantity}`, onHand: sql`${stock.onHand} - ${quantity}` })
          .where(eq(stock.productId, param('productId'))),
      ),
      reservation: prepared('reservation_by_order', (d) => d.select().from(reservations).where(eq(reservations.orderId, param('orderId')))),
      reservationLines: prepared('reservation_lines_by_order', (d) =>
        d
          .select({ productId: reservationLines.productId, quantity: reservationLines.quantity })
          .from(reservationLines)
          .where(eq(reservationLines.orderId, param('orderId')))
          .orderBy(asc(reservationLines.productId)),
      ),
      insertReservation: prepared('reservation_insert', (d) =>
        d.insert(reservations).values({
          orderId: param('orderId'),
          status: param('status'),
          shortages: param('shortages'),
          createdAt: param('createdAt'),
          updatedAt: param('updatedAt'),
        }),
      ),
      insertReservationLine: prepared('reservation_line_insert', (d) =>
        d.insert(reservationLines).values({ orderId: param('orderId'), productId: param('productId'), quantity: param('quantity') }),
      ),
      setReservationStatus: prepared('reservation_set_status', (d) =>
        d
          .update(reservations)
          .set({ status: setParam('status'), updatedAt: setParam('updatedAt') })
          .where(eq(reservations.orderId, param('orderId'))),
      ),
    };
  }

  /**
   * Runs `work` in one transaction. The module's transactions run one at a time, across processes
   * sharing the database too (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock), so what `work`
   * reads through `tx` is still true when it writes.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async find(id: string, on: Executor = this.db): Promise<StockRow | undefined> {
    const [row] = await this.q.stockById(on, { productId: id });
    return row;
  }

  async findMany(ids: string[], on: Executor = this.db): Promise<Map<string, StockRow>> {
    const { stock } = this.t;
    let rows: StockRow[] = [];
    if (ids.length === 1) rows = await this.q.stockById(on, { productId: ids[0] });
    else if (ids.length) rows = await on.sql.select().from(stock).where(inArray(stock.productId, ids));
    return new Map(rows.map((r) => [r.productId, r]));
  }

  async list(onlyLowStock: boolean, limit: number, offset: number): Promise<{ rows: StockRow[]; total: number }> {
    const { stock } = this.t;
    const lowStock = onlyLowStock ? lt(this.available(), stock.lowStockThreshold) : undefined;
    const [rows, [counted]] = await Promise.all([
      this.db.sql.select().from(stock).where(lowStock).orderBy(asc(stock.productId)).limit(limit).offset(offset),
      this.db.sql.select({ n: count() }).from(stock).where(lowStock),
    ]);
    return { rows, total: counted?.n ?? 0 };
  }

  /** Inserts the product's row unless it exists; true if inserted. */
  async addProduct(tx: Tx, row: StockRow): Promise<boolean> {
    const { stock } = this.t;
    const inserted = await tx.sql.insert(stock).values(row).onConflictDoNothing().returning({ productId: stock.productId });
    return inserted.length === 1;
  }

  /** Sets the columns given; those left out keep their value. */
  async update(tx: Tx, id: string, changes: Partial<Pick<StockRow, 'onHand' | 'lowStockThreshold' | 'belowThreshold'>>): Promise<void> {
    const { stock } = this.t;
    const { onHand, lowStockThreshold, belowThreshold } = changes;
    // drizzle leaves undefined values out of SET.
    await tx.sql.update(stock).set({ onHand, lowStockThreshold, belowThreshold, updatedAt: new Date().toISOString() }).where(eq(stock.productId, id));
  }

  async addOnHand(tx: Tx, id: string, units: number): Promise<void> {
    const { stock } = this.t;
    await tx.sql.update(stock).set({ onHand: sql`${stock.onHand} + ${units}`, updatedAt: new Date().toISOString() }).where(eq(stock.productId, id));
  }

  /**
   * Holds every line or none. The availability check and the hold are one statement for all the
   * lines: no interleaving can oversell. If a line did not fit, the lines it held are given back in
   * the same transaction.
   */
  async holdAll(tx: Tx, lines: Line[]): Promise<boolean> {
    if (lines.length === 0) return true;
    const held = lines.length === 1 ? await this.q.holdOne(tx, lines[0]) : await this.holdMany(tx, lines);
    if (held.length === lines.length) return true;
    const heldIds = new Set(held.map((h) => h.productId));
    await this.unholdAll(tx, lines.filter((l) => heldIds.has(l.productId)));
    return false;
  }

  private holdMany(tx: Tx, lines: Line[]): Promise<Array<{ productId: string }>> {
    const { stock } = this.t;
    const quantity = this.quantityOf(lines);
    return tx.sql
      .update(stock)
      .set({ reserved: sql`${stock.reserved} + ${quantity}` })
      .where(and(this.ofLines(lines), sql`${this.available()} >= ${quantity}`))
      .returning({ productId: stock.productId });
  }

  async unholdAll(tx: Tx, lines: Line[]): Promise<void> {
    if (lines.length === 0) return;
    if (lines.length === 1) {
      await this.q.unholdOne(tx, lines[0]);
      return;
    }
    const { stock } = this.t;
    await tx.sql.update(stock).set({ reserved: sql`${stock.reserved} - ${this.quantityOf(lines)}` }).where(this.ofLines(lines));
  }

  /** Takes held units off on-hand: they left the building. */
  async shipAll(tx: Tx, lines: Line[]): Promise<void> {
    if (lines.length === 0) return;
    if (lines.length === 1) {
      await this.q.shipOne(tx, lines[0]);
      return;
    }
    const { stock } = this.t;
    const quantity = this.quantityOf(lines);
    await tx.sql.update(stock).set({ reserved: sql`${stock.reserved} - ${quantity}`, onHand: sql`${stock.onHand} - ${quantity}` }).where(this.ofLines(lines));
  }

  async reservation(orderId: string, on: Executor = this.db): Promise<ReservationRow | undefined> {
    const [row] = await this.q.reservation(on, { orderId });
    return row;
  }

  reservationLines(orderId: string, on: Executor = this.db): Promise<Line[]> {
    return this.q.reservationLines(on, { orderId });
  }

  /** The reservation and all of its lines (one statement for the lines). */
  async recordReservation(tx: Tx, row: ReservationRow, lines: Line[]): Promise<void> {
    const { reservationLines } = this.t;
    await this.q.insertReservation(tx, row);
    if (lines.length === 1) await this.q.insertReservationLine(tx, { orderId: row.orderId, productId: lines[0].productId, quantity: lines[0].quantity });
    else if (lines.length) await tx.sql.insert(reservationLines).values(lines.map((l) => ({ orderId: row.orderId, productId: l.productId, quantity: l.quantity })));
  }

  async setReservationStatus(tx: Tx, orderId: string, status: ReservationRow['status']): Promise<void> {
    await this.q.setReservationStatus(tx, { orderId, status, updatedAt: new Date().toISOString() });
  }

  private available(): SQL {
    const { stock } = this.t;
    return sql`${stock.onHand} - ${stock.reserved}`;
  }

  private ofLines(lines: Line[]): SQL {
    const { stock } = this.t;
    return inArray(stock.productId, lines.map((l) => l.productId));
  }

  /** Each row's line quantity, so that one statement changes every line's row by its own amount. */
  private quantityOf(lines: Line[]): SQL {
    return integerByKey(this.t.stock.productId, lines.map((l) => [l.productId, l.quantity] as const));
  }
}
