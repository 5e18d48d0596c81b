import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { shipmentEvents, shipments } from './schema.ts';
import { param as p } from '../../../kernel/persistence/statements.ts';

export type ShipmentRow = typeof shipments.$inferSelect;
export type ShipmentStatus = ShipmentRow['status'];

/** The only place that speaks SQL for the logistics module. Statements are prepared once, at start. */
export class LogisticsStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const byTrackingNumber = eq(shipments.trackingNumber, p('trackingNumber'));
    this.q = {
      byOrder: db.select().from(shipments).where(eq(shipments.orderId, p('orderId'))).prepare(),
      byTrackingNumber: db.select().from(shipments).where(byTrackingNumber).prepare(),
      history: db
        .select({ status: shipmentEvents.status, at: shipmentEvents.at })
        .from(shipmentEvents)
        .where(eq(shipmentEvents.trackingNumber, p('trackingNumber')))
        .orderBy(asc(shipmentEvents.seq))
        .prepare(),
      insert: db.insert(shipments).values({
        trackingNumber: p('trackingNumber'), orderId: p('orderId'), userId: p('userId'), method: p('method'), country: p('country'),
        postalCode: p('postalCode'), status: p('status'), createdAt: p('createdAt'), updatedAt: p('updatedAt'),
      }).prepare(),
      move: db.update(shipments).set({ status: sql`${p('status')}`, updatedAt: sql`${p('updatedAt')}` }).where(byTrackingNumber).prepare(),
      addEvent: db.insert(shipmentEvents).values({ trackingNumber: p('trackingNumber'), status: p('status'), at: p('at') }).prepare(),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  byOrder(orderId: string): ShipmentRow | undefined {
    return this.q.byOrder.get({ orderId });
  }

  byTrackingNumber(trackingNumber: string): ShipmentRow | undefined {
    return this.q.byTrackingNumber.get({ trackingNumber });
  }

  history(trackingNumber: string): Array<{ status: ShipmentStatus; at: string }> {
    return this.q.history.all({ trackingNumber });
  }

  insert(row: ShipmentRow): void {
    this.q.insert.run(row);
    this.addEvent(row.trackingNumber, row.status, row.createdAt);
  }

  /** Sets the status and appends it to the history. */
  move(trackingNumber: string, status: ShipmentStatus, at: string): void {
    this.q.move.run({ trackingNumber, status, updatedAt: new Date().toISOString() });
    this.addEvent(trackingNumber, status, at);
  }

  private addEvent(trackingNumber: string, status: ShipmentStatus, at: string): void {
    this.q.addEvent.run({ trackingNumber, status, at });
  }
}
