import type { z } from 'zod';
import type { Api, Implementation } from '../../../kernel/contract.ts';
import type { ReadCache } from '../../../kernel/persistence/read-cache.ts';
import type { CatalogContract } from '../../catalog/contract.ts';
import type { WarehouseContract } from '../../warehouse/contract.ts';
import type { SearchContract, SearchQuery } from '../contract.ts';
import { matchExpression } from './match-expression.ts';
import type { HitRow, SearchFilters, SearchStore } from './search-store.ts';

export type SearchAnswer = z.output<SearchContract['methods']['search']['output']>;

/** Products fetched from the catalog per page while rebuilding (stock levels are asked for the same ids). */
const REBUILD_PAGE = 500;

/** The search module's use cases; each public method is one call of its contract. */
export class SearchService implements Implementation<SearchContract> {
  constructor(
    private readonly store: SearchStore,
    /** Answers by query; any change to the indexed products clears it (see kernel read-cache.ts). */
    private readonly answers: ReadCache<SearchAnswer>,
    private readonly catalog: Api<CatalogContract>,
    private readonly warehouse: Api<WarehouseContract>,
  ) {}

  search(query: z.output<typeof SearchQuery>): SearchAnswer {
    const filters: SearchFilters = {
      match: matchExpression(query.q ?? ''),
      categoryId: query.categoryId,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      inStock: query.inStock,
    };
    // Without words there is nothing to rank by: a browse shows the newest first.
    const sort = query.sort === 'relevance' && filters.match === null ? 'newest' : query.sort;
    const key = JSON.stringify([filters.match, filters.categoryId, filters.minPrice, filters.maxPrice, filters.inStock, sort, query.limit, query.offset]);
    return this.answers.get(key, () => {
      // Facet counts ignore the category filter, so the total under a category is that category's count.
      const facets = this.store.countByCategory(filters);
      const total = query.categoryId === undefined ? sum(Object.values(facets)) : (facets[query.categoryId] ?? 0);
      const rows = query.offset < total ? this.store.page(filters, sort, query.limit, query.offset) : [];
      return { items: rows.map(toHit), total, facets: { category: facets } };
    });
  }

  /**
   * Replays the catalog's export, with current stock, over the index, then drops what the catalog
   * no longer has and re-indexes all text. Events handled meanwhile are not undone: each row keeps
   * the newest state by the catalog's and the warehouse's timestamps.
   */
  async rebuild() {
    const startedAt = new Date().toISOString();
    const seen = new Set<string>();
    let indexed = 0;
    let after: string | undefined;
    do {
      const page = await this.catalog.exportProducts({ after, limit: REBUILD_PAGE });
      const ids = page.items.map((p) => p.id);
      const stock = ids.length ? (await this.warehouse.getStockLevels({ productIds: ids })).items : [];
      const available = new Map(stock.map((s) => [s.productId, s.available]));
      this.store.transaction(() => {
        for (const product of page.items) {
          this.store.saveProduct(product);
          this.store.saveStock(product.id, available.get(product.id) ?? 0, startedAt);
          seen.add(product.id);
          if (product.active) indexed++;
        }
      });
      after = page.next;
    } while (after !== undefined);
    this.store.transaction(() => this.store.removeUnseen(seen, startedAt));
    return { indexed };
  }
}

function toHit(row: HitRow) {
  const { score, inStock, ...hit } = row;
  return { ...hit, inStock: inStock === 1, ...(score === null ? {} : { score }) };
}

function sum(counts: number[]): number {
  return counts.reduce((a, b) => a + b, 0);
}
