import { asc, eq } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type ShipmentRow = typeof schemas.postgres.shipments.$inferSelect;
export type ShipmentStatus = ShipmentRow['status'];

/**
 * The only place that speaks SQL for the logistics module, the same on both engines. Reads take
 * the executor last (the module's database unless a transaction is passed); writes take the
 * transaction first.
 */
export class LogisticsStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  /** Runs `work` in one transaction; the module's transactions run one at a time, so what it reads through `tx` holds until it commits. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async byOrder(orderId: string, on: Executor = this.db): Promise<ShipmentRow | undefined> {
    const { shipments } = this.t;
    const [row] = await on.sql.select().from(shipments).where(eq(shipments.orderId, orderId)).limit(1);
    return row;
  }

  async byTrackingNumber(trackingNumber: string, on: Executor = this.db): Promise<ShipmentRow | undefined> {
    const { shipments } = this.t;
    const [row] = await on.sql.select().from(shipments).where(eq(shipments.trackingNumber, trackingNumber)).limit(1);
    return row;
  }

  history(trackingNumber: string, on: Executor = this.db): Promise<Array<{ status: ShipmentStatus; at: string }>> {
    const { shipmentEvents } = this.t;
    return on.sql
      .select({ status: shipmentEvents.status, at: shipmentEvents.at })
      .from(shipmentEvents)
      .where(eq(shipmentEvents.trackingNumber, trackingNumber))
      .orderBy(asc(shipmentEvents.seq));
  }

  async insert(tx: Tx, row: ShipmentRow): Promise<void> {
    const { shipments } = this.t;
    await tx.sql.insert(shipments).values(row);
    await this.addEvent(tx, row.trackingNumber, row.status, row.createdAt);
  }

  /** Sets the status and appends it to the history. */
  async move(tx: Tx, trackingNumber: string, status: ShipmentStatus, at: string): Promise<void> {
    const { shipments } = this.t;
    await tx.sql.update(shipments).set({ status, updatedAt: new Date().toISOString() }).where(eq(shipments.trackingNumber, trackingNumber));
    await this.addEvent(tx, trackingNumber, status, at);
  }

  private async addEvent(tx: Tx, trackingNumber: string, status: ShipmentStatus, at: string): Promise<void> {
    const { shipmentEvents } = this.t;
    await tx.sql.insert(shipmentEvents).values({ trackingNumber, status, at });
  }
}
