import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { Id } from '../../../kernel/contract.ts';
import { validationError } from '../../../kernel/errors.ts';
import { listQuery, pathParams, queryInstant } from '../../../kernel/http/query.ts';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { OrderStatus } from '../../order-processing/contract.ts';
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
    response: orderTakingContract.methods.placeOrder.output.shape.order.extend({ replayed: z.boolean() }),
    body: Checkout,
    headers: [{ name: 'Idempotency-Key', required: true, description: 'A key unique to this checkout (a UUID, say), sent again on every retry of it: the same key and body give the same order' }],
    status: 202,
  }, async ({ body, user, headers, use }) => {
    const { order, replayed } = await use(orderTakingContract).placeOrder({ userId: user.id, idempotencyKey: idempotencyKey(headers), checkout: body });
    return { ...order, replayed };
  });

  r.get('/api/orders', { access: 'user', summary: 'Your orders, newest first', response: orderTakingContract.methods.listOrders.output, query: listQuery({}) },
    ({ query, user, use }) => use(orderTakingContract).listOrders({ userId: user.id, ...query }));

  r.get('/api/orders/:id', { access: 'user', summary: 'One of your orders with its history', response: orderTakingContract.methods.getOrder.output, params: pathParams('id') },
    ({ params, user, use }) => use(orderTakingContract).getOrder({ userId: user.id, orderId: params.id }));

  r.post('/api/orders/:id/cancel', { access: 'user', summary: 'Cancel one of your orders (refused once shipped)', response: orderTakingContract.methods.cancelOrder.output, params: pathParams('id'), status: 202 },
    ({ params, user, use }) => use(orderTakingContract).cancelOrder({ userId: user.id, orderId: params.id }));

  r.get('/api/admin/orders', {
    access: 'admin',
    summary: 'Back office: every order, newest first; filter by status, customer and when it was placed (from inclusive, to exclusive)',
    response: orderTakingContract.methods.findOrders.output,
    query: listQuery({ status: OrderStatus.optional(), userId: Id.optional(), from: queryInstant().optional(), to: queryInstant().optional() }),
  }, ({ query, use }) => use(orderTakingContract).findOrders(query));

  r.get('/api/admin/orders/:id', { access: 'admin', summary: 'Back office: any order with its history, payment, shipment and customer', response: orderTakingContract.methods.inspectOrder.output, params: pathParams('id') },
    ({ params, use }) => use(orderTakingContract).inspectOrder({ orderId: params.id }));

  r.post('/api/admin/orders/:id/cancel', {
    access: 'admin',
    summary: 'Back office: cancel any order (reason admin_request): refund if paid, stock back; 409 once shipped',
    response: orderTakingContract.methods.cancelAnyOrder.output,
    params: pathParams('id'),
    body: z.strictObject({ reason: z.string().max(500).optional() }),
    status: 202,
  }, ({ params, body, user, use }) => use(orderTakingContract).cancelAnyOrder({ orderId: params.id, adminId: user.id, note: body.reason }));
});
