import { z } from 'zod';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { pathParams, queryInt } from '../../../kernel/http/query.ts';
import { DEFAULT_RECOMMENDATIONS, MAX_RECOMMENDATIONS, recommendationContract } from '../contract.ts';

const HowMany = z.strictObject({ limit: queryInt(1, MAX_RECOMMENDATIONS).default(DEFAULT_RECOMMENDATIONS) });

export const recommendationRoutes = defineRoutes((r) => {
  r.get('/api/products/:id/recommendations', {
    access: 'public',
    summary: 'Products bought together with this one, then others of its category',
    response: recommendationContract.methods.forProduct.output,
    params: pathParams('id'),
    query: HowMany,
  }, ({ params, query, use }) => use(recommendationContract).forProduct({ productId: params.id, limit: query.limit }));

  r.get('/api/recommendations', {
    access: 'user',
    summary: 'Suggestions for the signed-in user from their orders and wishlist; popular products for a new user',
    response: recommendationContract.methods.forUser.output,
    query: HowMany,
  }, ({ query, user, use }) => use(recommendationContract).forUser({ userId: user.id, limit: query.limit }));
});
