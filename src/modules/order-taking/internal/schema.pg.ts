import { bigint, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import { jsonText } from '../../../kernel/persistence/pg-columns.ts';
import type { CancelReason, OrderStatus } from '../../order-processing/contract.ts';
import type { Order, OrderLine, ShippingAddress } from '../contract.ts';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike). JSON columns
// stay text, as in SQLite (see jsonText).

/** The customer's view of each order: taken here, then kept up to date from order-processing's events. */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    cancelReason: text('cancel_reason').$type<CancelReason>(),
    items: jsonText<z.infer<typeof OrderLine>[]>('items').notNull(),
    /** Cents, like every amount below. */
    subtotal: integer('subtotal').notNull(),
    shippingCost: integer('shipping_cost').notNull(),
    total: integer('total').notNull(),
    shippingMethod: text('shipping_method').$type<Order['shippingMethod']>().notNull(),
    address: jsonText<z.infer<typeof ShippingAddress>>('address').notNull(),
    paymentStatus: text('payment_status'),
    trackingNumber: text('tracking_number'),
    shipmentStatus: text('shipment_status'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('orders_user_newest').on(t.userId, t.createdAt)],
);

/** Each status an order reached, once, with when it got there. */
export const orderHistory = pgTable(
  'order_history',
  {
    seq: integer('seq').primaryKey().generatedByDefaultAsIdentity(),
    orderId: text('order_id').notNull().references(() => orders.id),
    status: text('status').$type<OrderStatus>().notNull(),
    at: text('at').notNull(),
  },
  (t) => [uniqueIndex('order_history_order_status').on(t.orderId, t.status)],
);

/**
 * Idempotency keys of checkouts, per user. A row is reserved before the order is taken (so
 * duplicates wait or replay) and completed with the order in the order's own transaction.
 */
export const checkoutKeys = pgTable(
  'checkout_keys',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    /** sha256 of the checkout body: the same key with another body is refused. */
    requestHash: text('request_hash').notNull(),
    /** Which attempt holds the reservation; a stale one may be taken over by a retry. */
    attempt: text('attempt').notNull(),
    /** Epoch milliseconds, hence bigint. */
    reservedAt: bigint('reserved_at', { mode: 'number' }).notNull(),
    orderId: text('order_id'),
    /** The order as first answered, replayed to duplicates. */
    response: jsonText<Order>('response'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);
