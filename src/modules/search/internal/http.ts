import { MAX_AMOUNT } from '../../../kernel/contract.ts';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { listQuery, queryBool, queryInt } from '../../../kernel/http/query.ts';
import { MAX_SEARCH_OFFSET, searchContract, SearchQuery, SearchSort } from '../contract.ts';

const Price = queryInt(0, MAX_AMOUNT);

// Query strings carry text: numbers and booleans are parsed here, within the contract's bounds.
const SearchParams = listQuery({
  q: SearchQuery.shape.q,
  category: SearchQuery.shape.category,
  minPrice: Price.optional(),
  maxPrice: Price.optional(),
  inStock: queryBool().optional(),
  sort: SearchSort.optional(),
  offset: queryInt(0, MAX_SEARCH_OFFSET).default(0),
});

export const searchRoutes = defineRoutes((r) => {
  r.get('/api/search', {
    access: 'public',
    summary: 'Full-text product search with filters, sorts and named category facets; `category` is a category id or slug',
    response: searchContract.methods.search.output,
    query: SearchParams,
  }, ({ query, use }) => use(searchContract).search(query));

  r.post('/api/admin/search/rebuild', { access: 'admin', summary: 'Rebuild the search index from the catalog and current stock', response: searchContract.methods.rebuild.output },
    ({ use }) => use(searchContract).rebuild({}));
});
