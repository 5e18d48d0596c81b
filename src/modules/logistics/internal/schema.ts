import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** One shipment per order. */
export const shipments = sqliteTable('shipments', {
  trackingNumber: text('tracking_number').primaryKey(),
  orderId: text('order_id').notNull().unique(),
  /** The order's owner: the only customer who may track it. */
  userId: text('user_id').notNull(),
  method: text('method', { enum: ['standard', 'express'] }).notNull(),
  country: text('country').notNull(),
  postalCode: text('postal_code').notNull(),
  status: text('status', { enum: ['created', 'in_transit', 'delivered', 'cancelled'] }).notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** The shipment's history as the customer sees it. */
export const shipmentEvents = sqliteTable(
  'shipment_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    trackingNumber: text('tracking_number').notNull().references(() => shipments.trackingNumber),
    status: text('status', { enum: ['created', 'in_transit', 'delivered', 'cancelled'] }).notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('shipment_events_tracking').on(t.trackingNumber, t.seq)],
);

/**
 * Orders whose shipment was cancelled before it was created: the order was cancelled while its
 * booking was still on its way (from another replica of order-processing). A booking arriving
 * later is refused, so no parcel is prepared for a cancelled order.
 */
export const cancelledBookings = sqliteTable('cancelled_bookings', {
  orderId: text('order_id').primaryKey(),
  cancelledAt: text('cancelled_at').notNull(),
});
