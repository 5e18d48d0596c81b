import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { shipmentEvents, shipments } from './schema.ts';

export type ShipmentRow = typeof shipments.$inferSelect;
export type ShipmentStatus = ShipmentRow['status'];

/** The only place that speaks SQL for the logistics module. */
export class LogisticsStore {
  constructor(private readonly db: Db) {}

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  byOrder(orderId: string): ShipmentRow | undefined {
    return this.db.select().from(shipments).where(eq(shipments.orderId, orderId)).get();
  }

  byTrackingNumber(trackingNumber: string): ShipmentRow | undefined {
    return this.db.select().from(shipments).where(eq(shipments.trackingNumber, trackingNumber)).get();
  }

  history(trackingNumber: string): Array<{ status: ShipmentStatus; at: string }> {
    return this.db
      .select({ status: shipmentEvents.status, at: shipmentEvents.at })
      .from(shipmentEvents)
      .where(eq(shipmentEvents.trackingNumber, trackingNumber))
      .orderBy(asc(shipmentEvents.seq))
      .all();
  }

  insert(row: ShipmentRow): void {
    this.db.insert(shipments).values(row).run();
    this.addEvent(row.trackingNumber, row.status, row.createdAt);
  }

  /** Sets the status and appends it to the history. */
  move(trackingNumber: string, status: ShipmentStatus, at: string): void {
    this.db.update(shipments).set({ status, updatedAt: new Date().toISOString() }).where(eq(shipments.trackingNumber, trackingNumber)).run();
    this.addEvent(trackingNumber, status, at);
  }

  private addEvent(trackingNumber: string, status: ShipmentStatus, at: string): void {
    this.db.insert(shipmentEvents).values({ trackingNumber, status, at }).run();
  }
}
