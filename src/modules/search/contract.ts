import { z } from 'zod';
import { call, Cents, defineContract, Id } from '../../kernel/contract.ts';

export const SearchSort = z.enum(['relevance', 'price_asc', 'price_desc', 'newest']);
export const SearchQuery = z.strictObject({
  /** Free text typed by a user: any string is acceptable input. */
  q: z.string().max(1000).optional(),
  categoryId: Id.optional(),
  minPrice: Cents.optional(),
  maxPrice: Cents.optional(),
  inStock: z.boolean().optional(),
  sort: SearchSort.default('relevance'),
  limit: z.number().int().min(1).max(100).default(20),
  offset: z.number().int().min(0).max(10_000).default(0),
});
export const SearchHit = z.object({ productId: Id, name: z.string(), price: Cents, categoryId: Id, inStock: z.boolean(), score: z.number().optional() });
export const SearchResult = z.object({
  items: z.array(SearchHit),
  total: z.number().int(),
  facets: z.object({ category: z.record(z.string(), z.number().int()) }),
});

/** Full-text product search over its own index, fed by catalog and warehouse events. */
export const searchContract = defineContract(
  'search',
  {
    /** Ranked hits, total and category facets for a query and filters. */
    search: call({ input: SearchQuery, output: SearchResult }),
    /** Rebuilds the index from the catalog's export (and current stock levels). */
    rebuild: call({ input: z.strictObject({}), output: z.object({ indexed: z.number().int() }) }),
  },
  {},
);
export type SearchContract = typeof searchContract;
