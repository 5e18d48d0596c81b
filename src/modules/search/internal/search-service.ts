import type { z } from 'zod';
import type { Api, Implementation } from '../../../kernel/contract.ts';
import type { Logger } from '../../../kernel/logger.ts';
import type { ReadCache } from '../../../kernel/persistence/read-cache.ts';
import type { CatalogContract } from '../../catalog/contract.ts';
import type { WarehouseContract } from '../../warehouse/contract.ts';
import type { SearchContract, SearchQuery } from '../contract.ts';
import { queryWords } from './match-expression.ts';
import type { FacetRow, HitRow, SearchFilters, SearchStore } from './search-store.ts';

export type SearchAnswer = z.output<SearchContract['methods']['search']['output']>;
type Query = z.output<typeof SearchQuery>;

/** Products fetched from the catalog per page while rebuilding (stock levels are asked for the same ids). */
const REBUILD_PAGE = 500;
/**
 * How often at most a search that meets a category unknown here asks the catalog for its list:
 * often enough to catch up at once after an upgrade, rarely enough that misspelt categories (or
 * a catalog that does not answer) cost the catalog nothing noticeable.
 */
export const CATALOG_ASK_INTERVAL_MS = 10_000;

/** The search module's use cases; each public method is one call of its contract. */
export class SearchService implements Implementation<SearchContract> {
  private catalogAskedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: SearchStore,
    /** Answers by query; any change to the indexed products or categories clears it (see kernel read-cache.ts). */
    private readonly answers: ReadCache<SearchAnswer>,
    private readonly catalog: Api<CatalogContract>,
    private readonly warehouse: Api<WarehouseContract>,
    private readonly logger: Logger,
  ) {}

  /**
   * Categories normally reach search by category_created. A shop older than that projection, or
   * a search in the moment before the event lands, meets a category it cannot resolve or name:
   * then the catalog's own list fills the gap and the query is answered again.
   */
  async search(query: Query): Promise<SearchAnswer> {
    const first = await this.answer(query);
    if (first.complete || !(await this.learnCategories())) return first.answer;
    return (await this.answer(query)).answer;
  }

  /**
   * Replays the catalog's categories and export, with current stock, over the index, then drops
   * what the catalog no longer has and re-indexes all text. Events handled meanwhile are not
   * undone: each row keeps the newest state by the catalog's and the warehouse's timestamps.
   */
  async rebuild() {
    const startedAt = new Date().toISOString();
    const { items: categories } = await this.catalog.listCategories({});
    await this.store.transaction((tx) => this.store.saveCategories(tx, categories));
    const seen = new Set<string>();
    let indexed = 0;
    let after: string | undefined;
    do {
      const page = await this.catalog.exportProducts({ after, limit: REBUILD_PAGE });
      const ids = page.items.map((p) => p.id);
      const stock = ids.length ? (await this.warehouse.getStockLevels({ productIds: ids })).items : [];
      const available = new Map(stock.map((s) => [s.productId, s.available]));
      await this.store.transaction(async (tx) => {
        await this.store.saveProducts(tx, page.items);
        await this.store.saveStocks(tx, page.items.map((p) => ({ productId: p.id, available: available.get(p.id) ?? 0, changedAt: startedAt })));
      });
      for (const product of page.items) {
        seen.add(product.id);
        if (product.active) indexed++;
      }
      after = page.next;
    } while (after !== undefined);
    await this.store.transaction((tx) => this.store.removeUnseen(tx, seen, startedAt));
    return { indexed };
  }

  /** The answer from the index alone, and whether it knew every category it met. */
  private async answer(query: Query): Promise<{ answer: SearchAnswer; complete: boolean }> {
    const category = query.category === undefined ? undefined : await this.store.category(query.category);
    const filters: SearchFilters = {
      words: queryWords(query.q ?? ''),
      // A category unknown even to the catalog holds no product, so filtering by the text as given finds nothing.
      categoryId: category?.id ?? query.category,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      inStock: query.inStock,
    };
    // Without words there is nothing to rank by: a browse shows the newest first.
    const sort = query.sort === 'relevance' && filters.words === null ? 'newest' : query.sort;
    const key = JSON.stringify([filters.words, filters.categoryId, filters.minPrice, filters.maxPrice, filters.inStock, sort, query.limit, query.offset]);
    const answer = await this.answers.get(key, async () => {
      // Facet counts ignore the category filter, so the total under a category is that category's count.
      const facets = await this.store.countByCategory(filters);
      const byId = Object.fromEntries(facets.map((f) => [f.id, f.count]));
      const total = filters.categoryId === undefined ? sum(facets.map((f) => f.count)) : (byId[filters.categoryId] ?? 0);
      const rows = query.offset < total ? await this.store.page(filters, sort, query.limit, query.offset) : [];
      return { items: rows.map(toHit), total, facets: { category: byId, categories: facets.map(toFacet) } };
    });
    const complete = (query.category === undefined || category !== undefined) && answer.facets.categories.every((f) => f.name !== undefined);
    return { answer, complete };
  }

  /** Saves the catalog's categories; false if the catalog was asked too recently or did not answer. */
  private async learnCategories(): Promise<boolean> {
    const now = Date.now();
    if (now - this.catalogAskedAt < CATALOG_ASK_INTERVAL_MS) return false;
    this.catalogAskedAt = now;
    try {
      const { items } = await this.catalog.listCategories({});
      await this.store.transaction((tx) => this.store.saveCategories(tx, items));
      return true;
    } catch (err) {
      // Search still answers, by ids and without names, until the catalog is reachable again.
      this.logger.warn({ err }, 'could not learn categories from the catalog');
      return false;
    }
  }
}

function toHit(row: HitRow) {
  const { score, inStock, ...hit } = row;
  return { ...hit, inStock, ...(score === null ? {} : { score }) };
}

function toFacet({ id, name, slug, count }: FacetRow) {
  return { id, ...(name === null ? {} : { name }), ...(slug === null ? {} : { slug }), count };
}

function sum(counts: number[]): number {
  return counts.reduce((a, b) => a + b, 0);
}
