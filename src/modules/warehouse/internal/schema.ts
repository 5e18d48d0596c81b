import { sql } from 'drizzle-orm';
import { check, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** One row per product the warehouse has heard of. available = on_hand - reserved. */
export const stock = sqliteTable(
  'stock',
  {
    productId: text('product_id').primaryKey(),
    onHand: integer('on_hand').notNull(),
    reserved: integer('reserved').notNull().default(0),
    lowStockThreshold: integer('low_stock_threshold').notNull().default(5),
    /** Whether available is below the threshold already: admins are alerted once per dip, not on every sale. */
    belowThreshold: integer('below_threshold', { mode: 'boolean' }).notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  // The database itself refuses negative stock and over-reservation, whatever the code above it does.
  (t) => [check('stock_never_negative', sql`${t.reserved} >= 0 AND ${t.reserved} <= ${t.onHand}`)],
);

/** The outcome of each order's reservation, so asking again gives the first answer. */
export const reservations = sqliteTable('reservations', {
  orderId: text('order_id').primaryKey(),
  /** `cancelled`: released before any reserve arrived; a reserve coming later holds nothing. */
  status: text('status', { enum: ['reserved', 'insufficient', 'released', 'committed', 'cancelled'] }).notNull(),
  /** JSON array of shortages when the reservation failed. */
  shortages: text('shortages'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Units held for an order, per product. */
export const reservationLines = sqliteTable(
  'reservation_lines',
  {
    orderId: text('order_id').notNull().references(() => reservations.orderId),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);
