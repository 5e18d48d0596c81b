import { z } from 'zod';
import { call, defineContract, Id, Paging, Timestamp } from '../../kernel/contract.ts';

export const NotificationKind = z.enum([
  'order_placed', 'order_paid', 'order_shipped', 'order_delivered', 'order_cancelled',
  'price_drop', 'back_in_stock', 'low_stock',
]);
export const Notification = z.object({
  id: Id,
  kind: NotificationKind,
  title: z.string(),
  body: z.string(),
  createdAt: Timestamp,
  readAt: Timestamp.optional(),
});

/** Each user's in-app inbox (and email, when the shop has SMTP and the user allows it). */
export const notificationContract = defineContract(
  'notification',
  {
    /** The user's notices, newest first. */
    list: call({
      input: z.strictObject({ userId: Id, ...Paging }),
      output: z.object({ items: z.array(Notification), total: z.number().int() }),
    }),
    /** Marks one notice read (idempotent); not found if it is someone else's. */
    markRead: call({ input: z.strictObject({ userId: Id, notificationId: Id }), output: z.object({}) }),
  },
  {},
);
export type NotificationContract = typeof notificationContract;
