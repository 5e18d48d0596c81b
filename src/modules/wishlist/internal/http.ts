import { z } from 'zod';
import { defineRoutes, Reply } from '../../../kernel/http/routes.ts';
import { pathParams } from '../../../kernel/http/query.ts';
import { wishlistContract } from '../contract.ts';

const item = pathParams('productId');

export const wishlistRoutes = defineRoutes((r) => {
  r.get('/api/wishlist', { access: 'user', summary: 'The wishlist with current prices and stock, newest first', response: wishlistContract.methods.list.output },
    ({ user, use }) => use(wishlistContract).list({ userId: user.id }));

  r.post('/api/wishlist/items', {
    access: 'user',
    summary: 'Wish for a product: 201 when added, 200 when it was already there; 404 for unknown or archived products',
    response: z.object({ productId: z.string(), added: z.boolean() }),
    body: wishlistContract.methods.add.input.omit({ userId: true }),
    status: 201,
  }, async ({ body, user, use }) => {
    const { added } = await use(wishlistContract).add({ userId: user.id, productId: body.productId });
    return new Reply(added ? 201 : 200, { productId: body.productId, added });
  });

  r.delete('/api/wishlist/items/:productId', { access: 'user', summary: 'Take a product off the wishlist (idempotent)', params: item },
    async ({ params, user, use }) => {
      await use(wishlistContract).remove({ userId: user.id, productId: params.productId });
    });

  r.post('/api/wishlist/items/:productId/move-to-cart', { access: 'user', summary: 'Put one unit in the cart and take the product off the wishlist', response: wishlistContract.methods.moveToCart.output, params: item },
    ({ params, user, use }) => use(wishlistContract).moveToCart({ userId: user.id, productId: params.productId }));
});
