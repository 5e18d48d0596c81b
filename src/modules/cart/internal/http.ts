import { z } from 'zod';
import { Id } from '../../../kernel/contract.ts';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { pathParams } from '../../../kernel/http/query.ts';
import { cartContract } from '../contract.ts';

const line = pathParams('productId');

export const cartRoutes = defineRoutes((r) => {
  r.get('/api/cart', { access: 'user', summary: 'The cart at current catalog prices' },
    ({ user, use }) => use(cartContract).getCart({ userId: user.id }));

  r.post('/api/cart/items', {
    access: 'user',
    summary: 'Add units of a product (to its line if there is one); 422 above 99 units, 404 for unknown or archived products',
    body: z.strictObject({ productId: Id, quantity: z.number().int().min(1).max(99) }),
  }, ({ body, user, use }) => use(cartContract).addItem({ userId: user.id, ...body }));

  r.patch('/api/cart/items/:productId', {
    access: 'user',
    summary: 'Set the units of a line; 0 removes it',
    params: line,
    body: z.strictObject({ quantity: z.number().int().min(0).max(99) }),
  }, ({ body, params, user, use }) => use(cartContract).setQuantity({ userId: user.id, productId: params.productId, ...body }));

  r.delete('/api/cart/items/:productId', { access: 'user', summary: 'Remove a line', params: line },
    ({ params, user, use }) => use(cartContract).removeItem({ userId: user.id, productId: params.productId }));

  r.delete('/api/cart', { access: 'user', summary: 'Empty the cart' }, async ({ user, use }) => {
    await use(cartContract).clear({ userId: user.id });
  });
});
