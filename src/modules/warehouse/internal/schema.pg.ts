import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

/** One row per product the warehouse has heard of. available = on_hand - reserved. */
export const stock = pgTable(
  'stock',
  {
    productId: text('product_id').primaryKey(),
    onHand: integer('on_hand').notNull(),
    reserved: integer('reserved').notNull().default(0),
    lowStockThreshold: integer('low_stock_threshold').notNull().default(5),
    /** Whether available is below the threshold already: admins are alerted once per dip, not on every sale. */
    belowThreshold: boolean('below_threshold').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  // The database itself refuses negative stock and over-reservation, whatever the code above it does.
  (t) => [check('stock_never_negative', sql`${t.reserved} >= 0 AND ${t.reserved} <= ${t.onHand}`)],
);

/** The outcome of each order's reservation, so asking again gives the first answer. */
export const reservations = pgTable('reservations', {
  orderId: text('order_id').primaryKey(),
  /** `cancelled`: released before any reserve arrived; a reserve coming later holds nothing. */
  status: text('status', { enum: ['reserved', 'insufficient', 'released', 'committed', 'cancelled'] }).notNull(),
  /** JSON array of shortages when the reservation failed. */
  shortages: text('shortages'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Units held for an order, per product. */
export const reservationLines = pgTable(
  'reservation_lines',
  {
    orderId: text('order_id').notNull().references(() => reservations.orderId),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);
