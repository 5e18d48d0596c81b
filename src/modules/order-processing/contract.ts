import { z } from 'zod';
import { call, defineContract, event, Id, Timestamp } from '../../kernel/contract.ts';

/**
 * Every status an order can have, in the order a run moves through them: a later status never
 * goes back to an earlier one. `cancelled` comes last: it is final, and reachable only before
 * `shipped`. Projections of an order's progress rank reports by this list.
 */
export const ORDER_STATUSES = ['placed', 'stock_reserved', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;
/** Why an order was cancelled. */
export const CancelReason = z.enum(['out_of_stock', 'payment_declined', 'customer_request', 'admin_request']);
export type CancelReason = z.infer<typeof CancelReason>;
/** Where the order's payment stands (`captured`, `declined`, `refunded`). */
export const PaymentProgress = z.object({ status: z.string() });
/** The order's parcel, once booked, and where it stands. */
export const ShipmentProgress = z.object({ trackingNumber: z.string(), status: z.string() });

/** The saga that runs an order after it is placed: stock, payment, shipment, cancellation. */
export const orderProcessingContract = defineContract(
  'order-processing',
  {
    /**
     * Cancels an order with compensations (refund if paid, release stock, cancel the shipment).
     * Idempotent; conflict once shipped. Answers the status after the request.
     */
    cancel: call({ input: z.strictObject({ orderId: Id, reason: CancelReason }), output: z.object({ status: OrderStatus }) }),
    /** Where the saga stands for an order (operators, tests). */
    getProgress: call({
      input: z.strictObject({ orderId: Id }),
      output: z.object({ orderId: Id, status: OrderStatus, cancelReason: CancelReason.optional(), updatedAt: Timestamp }),
    }),
  },
  {
    /** The order moved to a new status; order-taking projects it, notification tells the customer. */
    status_changed: event(
      1,
      z.object({
        orderId: Id,
        userId: Id,
        status: OrderStatus,
        reason: CancelReason.optional(),
        at: Timestamp,
        payment: PaymentProgress.optional(),
        shipment: ShipmentProgress.optional(),
      }),
    ),
  },
  { eventPrefix: 'order' },
);
export type OrderProcessingContract = typeof orderProcessingContract;
