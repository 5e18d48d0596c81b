import { z } from 'zod';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { listQuery, queryBool, queryInt } from '../../../kernel/http/query.ts';
import { searchContract, SearchQuery, SearchSort } from '../contract.ts';

const Price = queryInt(0, 1_000_000_000);

const SearchParams = listQuery({
  q: z.string().max(1000).optional(),
  category: SearchQuery.shape.category,
  minPrice: Price.optional(),
  maxPrice: Price.optional(),
  inStock: queryBool().optional(),
  sort: SearchSort.optional(),
  // Deeper pages than this are not served: refine the query instead.
  offset: queryInt(0, 10_000).default(0),
});

export const searchRoutes = defineRoutes((r) => {
  r.get('/api/search', {
    access: 'public',
    summary: 'Full-text product search with filters, sorts and named category facets; `category` is a category id or slug',
    query: SearchParams,
  }, ({ query, use }) => use(searchContract).search(query));

  r.post('/api/admin/search/rebuild', { access: 'admin', summary: 'Rebuild the search index from the catalog and current stock' },
    ({ use }) => use(searchContract).rebuild({}));
});
