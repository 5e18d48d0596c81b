import { z } from 'zod';
import { call, defineContract, event, Id, Timestamp } from '../../kernel/contract.ts';
import { CancelReason, OrderStatus } from '../order-taking/contract.ts';

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
        payment: z.object({ status: z.string() }).optional(),
        shipment: z.object({ trackingNumber: z.string(), status: z.string() }).optional(),
      }),
    ),
  },
  { eventPrefix: 'order' },
);
export type OrderProcessingContract = typeof orderProcessingContract;
