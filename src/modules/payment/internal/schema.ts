import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** One payment per order (the unique order id is what makes charging idempotent). */
export const payments = sqliteTable('payments', {
  id: text('id').primaryKey(),
  orderId: text('order_id').notNull().unique(),
  userId: text('user_id').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency', { enum: ['USD'] }).notNull(),
  status: text('status', { enum: ['authorized', 'captured', 'declined', 'refunded'] }).notNull(),
  /** Requests made to the gateway for this payment, transient failures included. */
  attempts: integer('attempts').notNull().default(0),
  /** The gateway's reference of the capture (needed to refund it). */
  gatewayReference: text('gateway_reference'),
  declineReason: text('decline_reason'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * The built-in test gateway's own ledger, as a card processor would keep it: one row per
 * idempotency key, so a retried request finds its first outcome instead of charging again.
 */
export const gatewayCharges = sqliteTable(
  'gateway_charges',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    token: text('token').notNull(),
    amount: integer('amount').notNull(),
    status: text('status', { enum: ['failed_transient', 'captured', 'declined'] }).notNull(),
    reference: text('reference'),
    reason: text('reason'),
    /** Requests received with this key. */
    requests: integer('requests').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('gateway_charges_reference').on(t.reference)],
);

/** Refunds the test gateway made, one per idempotency key. */
export const gatewayRefunds = sqliteTable('gateway_refunds', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  chargeReference: text('charge_reference').notNull(),
  amount: integer('amount').notNull(),
  createdAt: text('created_at').notNull(),
});

/**
 * Orders whose refund was asked for before any charge: the order was cancelled while its charge
 * was still on its way (from another replica of order-processing, whose answer may never be
 * read). A charge arriving later is refused, so no money is taken for a cancelled order.
 */
export const voidedOrders = sqliteTable('voided_orders', {
  orderId: text('order_id').primaryKey(),
  voidedAt: text('voided_at').notNull(),
});
