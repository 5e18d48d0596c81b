import { index, pgTable, text } from 'drizzle-orm/pg-core';
import type { PayloadOf } from '../../../kernel/contract.ts';
import { jsonText } from '../../../kernel/persistence/pg-columns.ts';
import type { ShipmentStatus } from '../../logistics/contract.ts';
import type { orderTakingContract } from '../../order-taking/contract.ts';
import type { CancelReason, OrderStatus } from '../contract.ts';
import type { z } from 'zod';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

export type PlacedOrder = PayloadOf<typeof orderTakingContract.events.placed>;

/** Where each order's saga stands: enough to resume it after a crash and to undo what it did. */
export const sagas = pgTable(
  'order_sagas',
  {
    orderId: text('order_id').primaryKey(),
    /** The order as placed (JSON in a text column); null while only a cancellation has arrived (it may overtake the order's event). */
    order: jsonText<PlacedOrder>('order'),
    status: text('status').$type<OrderStatus>().notNull(),
    cancelReason: text('cancel_reason').$type<CancelReason>(),
    /** Set by a cancellation until its compensations have run; steps in flight look at it after each call. */
    cancelRequested: text('cancel_requested').$type<CancelReason>(),
    stock: text('stock').$type<'none' | 'reserved' | 'released' | 'committed'>().notNull(),
    payment: text('payment').$type<'captured' | 'declined' | 'refunded'>(),
    trackingNumber: text('tracking_number'),
    shipmentStatus: text('shipment_status').$type<z.infer<typeof ShipmentStatus>>(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('order_sagas_status').on(t.status)],
);
