import { defineRoutes } from '../../../kernel/http/routes.ts';
import { pathParams } from '../../../kernel/http/query.ts';
import { cartContract, MAX_UNITS } from '../contract.ts';

const line = pathParams('productId');
const { addItem, setQuantity } = cartContract.methods;

export const cartRoutes = defineRoutes((r) => {
  r.get('/api/cart', { access: 'user', summary: 'The cart at current catalog prices', response: cartContract.methods.getCart.output },
    ({ user, use }) => use(cartContract).getCart({ userId: user.id }));

  r.post('/api/cart/items', {
    access: 'user',
    summary: `Add units of a product (to its line if there is one); 422 above ${MAX_UNITS} units, 404 for unknown or archived products`,
    response: cartContract.methods.addItem.output,
    body: addItem.input.omit({ userId: true }),
  }, ({ body, user, use }) => use(cartContract).addItem({ userId: user.id, ...body }));

  r.patch('/api/cart/items/:productId', {
    access: 'user',
    summary: 'Set the units of a line; 0 removes it',
    response: cartContract.methods.setQuantity.output,
    params: line,
    body: setQuantity.input.omit({ userId: true, productId: true }),
  }, ({ body, params, user, use }) => use(cartContract).setQuantity({ userId: user.id, productId: params.productId, ...body }));

  r.delete('/api/cart/items/:productId', { access: 'user', summary: 'Remove a line', response: cartContract.methods.removeItem.output, params: line },
    ({ params, user, use }) => use(cartContract).removeItem({ userId: user.id, productId: params.productId }));

  r.delete('/api/cart', { access: 'user', summary: 'Empty the cart' }, async ({ user, use }) => {
    await use(cartContract).clear({ userId: user.id });
  });
});
