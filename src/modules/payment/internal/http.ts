import { z } from 'zod';
import { Id } from '../../../kernel/contract.ts';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { paymentContract } from '../contract.ts';

export const paymentRoutes = defineRoutes((r) => {
  r.get('/api/payments', { access: 'user', summary: "Payments of one of the caller's orders (any order for an admin)", query: z.strictObject({ orderId: Id }) },
    ({ query, user, use }) => use(paymentContract).listPayments({ orderId: query.orderId, viewer: { userId: user.id, role: user.role } }));
});
