import { defineRoutes } from '../../../kernel/http/routes.ts';
import { paymentContract } from '../contract.ts';

export const paymentRoutes = defineRoutes((r) => {
  r.get('/api/payments', { access: 'user', summary: "Payments of one of the caller's orders (any order for an admin)", response: paymentContract.methods.listPayments.output, query: paymentContract.methods.listPayments.input.omit({ viewer: true }) },
    ({ query, user, use }) => use(paymentContract).listPayments({ orderId: query.orderId, viewer: { userId: user.id, role: user.role } }));
});
