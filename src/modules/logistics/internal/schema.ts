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
