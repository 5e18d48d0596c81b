import type { IncomingHttpHeaders } from 'node:http';
import { validationError } from '../../../kernel/errors.ts';
import { listQuery, pathParams } from '../../../kernel/http/query.ts';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { Checkout, orderTakingContract } from '../contract.ts';

/** The call's key, and as a header also printable ASCII without spaces. */
const IdempotencyKey = orderTakingContract.methods.placeOrder.input.shape.idempotencyKey.regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** Checkouts must carry a key of the client's choosing, reused on every retry of the same checkout. */
function idempotencyKey(headers: IncomingHttpHeaders): string {
  const result = IdempotencyKey.safeParse(headers['idempotency-key']);
  if (result.success) return result.data;
  throw validationError(
    [{ path: 'headers.idempotency-key', message: 'required: a key unique to this checkout (e.g. a UUID), sent again on retries' }],
    'Idempotency-Key header missing or malformed',
  );
}

export const orderTakingRoutes = defineRoutes((r) => {
  r.post('/api/orders', {
    access: 'user',
    summary: 'Place an order from the cart (header Idempotency-Key required); accepted, then processed',
    body: Checkout,
    status: 202,
  }, async ({ body, user, headers, use }) => {
    const { order, replayed } = await use(orderTakingContract).placeOrder({ userId: user.id, idempotencyKey: idempotencyKey(headers), checkout: body });
    return { ...order, replayed };
  });

  r.get('/api/orders', { access: 'user', summary: 'Your orders, newest first', query: listQuery({}) },
    ({ query, user, use }) => use(orderTakingContract).listOrders({ userId: user.id, ...query }));

  r.get('/api/orders/:id', { access: 'user', summary: 'One of your orders with its history', params: pathParams('id') },
    ({ params, user, use }) => use(orderTakingContract).getOrder({ userId: user.id, orderId: params.id }));

  r.post('/api/orders/:id/cancel', { access: 'user', summary: 'Cancel one of your orders (refused once shipped)', params: pathParams('id'), status: 202 },
    ({ params, user, use }) => use(orderTakingContract).cancelOrder({ userId: user.id, orderId: params.id }));
});
