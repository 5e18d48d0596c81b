import { z } from 'zod';
import { call, Cents, defineContract, Id, Paging } from '../../kernel/contract.ts';
import { CategoryRef } from '../catalog/contract.ts';

export const SearchSort = z.enum(['relevance', 'price_asc', 'price_desc', 'newest']);
/** Deeper pages than this are not served: refine the query instead. */
export const MAX_SEARCH_OFFSET = 10_000;
export const SearchQuery = z.strictObject({
  /** Free text typed by a user: any string is acceptable input. */
  // Any text a user may type is a query; NUL, which no store can hold, is a space in it.
  q: z.string().max(1000).transform((q) => q.replaceAll('\u0000', ' ')).optional(),
  /**
   * A category id or slug, as GET /api/products?category= takes. A category unknown to the shop
   * is answered as the product list answers it: 200 with no items and total 0 (not a 404/422),
   * while the facets still count the matches of the other filters, so a client can offer them.
   */
  category: CategoryRef.optional(),
  minPrice: Cents.optional(),
  maxPrice: Cents.optional(),
  inStock: z.boolean().optional(),
  sort: SearchSort.default('relevance'),
  limit: Paging.limit.default(20),
  offset: Paging.offset.max(MAX_SEARCH_OFFSET).default(0),
});
export const SearchHit = z.object({ productId: Id, name: z.string(), price: Cents, categoryId: Id, inStock: z.boolean(), score: z.number().optional() });
/** One category's matches, named for showing; name and slug are absent only while search has not heard of the category yet. */
export const CategoryFacet = z.object({ id: Id, name: z.string().optional(), slug: z.string().optional(), count: z.number().int() });
export const SearchResult = z.object({
  items: z.array(SearchHit),
  total: z.number().int(),
  facets: z.object({
    /** Matches per category id, with the query and every filter but the category. */
    category: z.record(z.string(), z.number().int()),
    /** The same counts with each category's name and slug, most matches first, then by name. */
    categories: z.array(CategoryFacet),
  }),
});

/** Full-text product search over its own index, fed by catalog and warehouse events. */
export const searchContract = defineContract(
  'search',
  {
    /** Ranked hits, total and category facets (counts by id, and named) for a query and filters. */
    search: call({ input: SearchQuery, output: SearchResult }),
    /** Rebuilds the index from the catalog's export and categories (and current stock levels). */
    rebuild: call({ input: z.strictObject({}), output: z.object({ indexed: z.number().int() }) }),
  },
  {},
);
export type SearchContract = typeof searchContract;
