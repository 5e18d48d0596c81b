import { asc, eq } from 'drizzle-orm';
import { param, prepared, setParam } from '../../../kernel/persistence/prepared.ts';
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
  /** Every query of the module, built once per connection (kernel prepared.ts); each runs on every shipment or tracking read. */
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { shipments, shipmentEvents, cancelledBookings } = this.t;
    this.q = {
      bookingCancelled: prepared('booking_cancelled', (d) =>
        d.select({ orderId: cancelledBookings.orderId }).from(cancelledBookings).where(eq(cancelledBookings.orderId, param('orderId'))),
      ),
      cancelBooking: prepared('booking_cancel', (d) => d.insert(cancelledBookings).values({ orderId: param('orderId'), cancelledAt: param('now') }).onConflictDoNothing()),
      byOrder: prepared('shipment_by_order', (d) => d.select().from(shipments).where(eq(shipments.orderId, param('orderId')))),
      byTrackingNumber: prepared('shipment_by_tracking_number', (d) =>
        d.select().from(shipments).where(eq(shipments.trackingNumber, param('trackingNumber'))),
      ),
      history: prepared('shipment_history', (d) =>
        d
          .select({ status: shipmentEvents.status, at: shipmentEvents.at })
          .from(shipmentEvents)
          .where(eq(shipmentEvents.trackingNumber, param('trackingNumber')))
          .orderBy(asc(shipmentEvents.seq)),
      ),
      insert: prepared('shipment_insert', (d) =>
        d.insert(shipments).values({
          trackingNumber: param('trackingNumber'),
          orderId: param('orderId'),
          userId: param('userId'),
          method: param('method'),
          country: param('country'),
          postalCode: param('postalCode'),
          status: param('status'),
          createdAt: param('createdAt'),
          updatedAt: param('updatedAt'),
        }),
      ),
      move: prepared('shipment_move', (d) =>
        d
          .update(shipments)
          .set({ status: setParam('status'), updatedAt: setParam('updatedAt') })
          .where(eq(shipments.trackingNumber, param('trackingNumber'))),
      ),
      addEvent: prepared('shipment_event_insert', (d) => d.insert(shipmentEvents).values({ trackingNumber: param('trackingNumber'), status: param('status'), at: param('at') })),
    };
  }

  /** Runs `work` in one transaction; the module's transactions run one at a time, so what it reads through `tx` holds until it commits. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** True when the order's shipment was cancelled before it was booked: no booking may follow (see schema.ts). */
  async bookingCancelled(orderId: string, tx: Tx): Promise<boolean> {
    return (await this.q.bookingCancelled(tx, { orderId })).length > 0;
  }

  async cancelBooking(tx: Tx, orderId: string): Promise<void> {
    await this.q.cancelBooking(tx, { orderId, now: new Date().toISOString() });
  }

  async byOrder(orderId: string, on: Executor = this.db): Promise<ShipmentRow | undefined> {
    const [row] = await this.q.byOrder(on, { orderId });
    return row;
  }

  async byTrackingNumber(trackingNumber: string, on: Executor = this.db): Promise<ShipmentRow | undefined> {
    const [row] = await this.q.byTrackingNumber(on, { trackingNumber });
    return row;
  }

  history(trackingNumber: string, on: Executor = this.db): Promise<Array<{ status: ShipmentStatus; at: string }>> {
    return this.q.history(on, { trackingNumber });
  }

  async insert(tx: Tx, row: ShipmentRow): Promise<void> {
    await this.q.insert(tx, row);
    await this.addEvent(tx, row.trackingNumber, row.status, row.createdAt);
  }

  /** Sets the status and appends it to the history. */
  async move(tx: Tx, trackingNumber: string, status: ShipmentStatus, at: string): Promise<void> {
    await this.q.move(tx, { trackingNumber, status, updatedAt: new Date().toISOString() });
    await this.addEvent(tx, trackingNumber, status, at);
  }

  private async addEvent(tx: Tx, trackingNumber: string, status: ShipmentStatus, at: string): Promise<void> {
    await this.q.addEvent(tx, { trackingNumber, status, at });
  }
}
