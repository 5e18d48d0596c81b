import type { z } from 'zod';
import type { Sqlite } from '../../../kernel/persistence/database.ts';
import type { Category, Product } from '../../catalog/contract.ts';
import type { SearchSort as Sorts } from '../contract.ts';

export type SearchSort = z.infer<typeof Sorts>;

export interface SearchFilters {
  /** An FTS5 MATCH expression built by `matchExpression`, never raw user input; null = every product. */
  match: string | null;
  categoryId?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
}

export interface HitRow {
  productId: string;
  name: string;
  price: number;
  categoryId: string;
  inStock: number;
  score: number | null;
}

/** Matches in one category; name and slug are null for a category search has not heard of. */
export interface FacetRow {
  id: string;
  name: string | null;
  slug: string | null;
  count: number;
}

type Statement = ReturnType<Sqlite['prepare']>;

/** Name matches weigh ten times as much as description matches. */
const RANK = 'bm25(search_text, 10.0, 1.0)';
/** In stock as search_stock says now: for products arriving after their stock level. */
const STOCK_OF_PRODUCT = 'coalesce((SELECT available > 0 FROM search_stock WHERE product_id = @id), 0)';
/** Ties go to the newest; doc_id breaks ties within one millisecond (it grows as products arrive). */
const NEWEST = 'd.created_at DESC, d.doc_id DESC';
const ORDER: Record<SearchSort, string> = {
  relevance: `${RANK}, ${NEWEST}`,
  price_asc: `d.price, ${NEWEST}`,
  price_desc: `d.price DESC, ${NEWEST}`,
  newest: NEWEST,
};
const SORTS = Object.keys(ORDER) as SearchSort[];

/** FROM and WHERE of every query; `withCategory` false leaves the category filter out (for facets). */
function fromWhere(text: boolean, withCategory: boolean): string {
  return `${text ? 'FROM search_text JOIN search_products d ON d.doc_id = search_text.rowid' : 'FROM search_products d'}
    WHERE d.active = 1 ${text ? 'AND search_text MATCH @match' : ''}
      ${withCategory ? 'AND (@categoryId IS NULL OR d.category_id = @categoryId)' : ''}
      AND (@minPrice IS NULL OR d.price >= @minPrice)
      AND (@maxPrice IS NULL OR d.price <= @maxPrice)
      AND (@inStock IS NULL OR d.in_stock = @inStock)`;
}

/**
 * The only place that speaks SQL for search. Every query shape (with or without text, each sort)
 * is prepared once here, so a search binds parameters and runs: nothing is built per call.
 */
export class SearchStore {
  private readonly pages = new Map<string, Statement>();
  private readonly facets: Record<'text' | 'browse', Statement>;
  private readonly stmts;

  constructor(private readonly sqlite: Sqlite) {
    for (const text of [true, false]) {
      for (const sort of SORTS.filter((s) => text || s !== 'relevance')) {
        const score = text ? `-${RANK}` : 'NULL';
        this.pages.set(`${text}:${sort}`, sqlite.prepare(
          `SELECT d.product_id AS productId, d.name, d.price, d.category_id AS categoryId, d.in_stock AS inStock, ${score} AS score
           ${fromWhere(text, true)} ORDER BY ${ORDER[sort]} LIMIT @limit OFFSET @offset`,
        ));
      }
    }
    // Counted first, named after: the counting stays on the facets index alone.
    const facet = (text: boolean) => sqlite.prepare(
      `SELECT f.id, c.name, c.slug, f.count
       FROM (SELECT d.category_id AS id, count(*) AS count ${fromWhere(text, false)} GROUP BY d.category_id) f
       LEFT JOIN search_categories c ON c.category_id = f.id
       ORDER BY f.count DESC, c.name, f.id`,
    );
    this.facets = { text: facet(true), browse: facet(false) };
    this.stmts = {
      saveProduct: sqlite.prepare(
        `INSERT INTO search_products (product_id, name, description, category_id, price, active, in_stock, created_at, version_at)
         VALUES (@id, @name, @description, @categoryId, @price, @active, ${STOCK_OF_PRODUCT}, @createdAt, @updatedAt)
         ON CONFLICT (product_id) DO UPDATE SET name = excluded.name, description = excluded.description,
           category_id = excluded.category_id, price = excluded.price, created_at = excluded.created_at,
           active = excluded.active AND search_products.active, version_at = excluded.version_at
         WHERE excluded.version_at >= search_products.version_at`,
      ),
      // A product archived before its creation reached search is kept as an inactive placeholder.
      archive: sqlite.prepare(
        `INSERT INTO search_products (product_id, name, description, category_id, price, active, in_stock, created_at, version_at)
         VALUES (@id, '', '', '', 0, 0, ${STOCK_OF_PRODUCT}, '', '') ON CONFLICT (product_id) DO UPDATE SET active = 0`,
      ),
      // The price alone does not move version_at: the product_updated sent with it still applies in full.
      reprice: sqlite.prepare('UPDATE search_products SET price = ? WHERE product_id = ? AND version_at <= ?'),
      saveStock: sqlite.prepare(
        `INSERT INTO search_stock (product_id, available, changed_at) VALUES (?, ?, ?)
         ON CONFLICT (product_id) DO UPDATE SET available = excluded.available, changed_at = excluded.changed_at
         WHERE excluded.changed_at >= search_stock.changed_at`,
      ),
      // Only a real flip is written: most stock reports leave in_stock as it was.
      copyStock: sqlite.prepare(`UPDATE search_products SET in_stock = ${STOCK_OF_PRODUCT} WHERE product_id = @id AND in_stock IS NOT ${STOCK_OF_PRODUCT}`),
      productIdsBefore: sqlite.prepare('SELECT product_id FROM search_products WHERE version_at < ?').pluck(),
      deleteProduct: sqlite.prepare('DELETE FROM search_products WHERE product_id = ?'),
      deleteStock: sqlite.prepare('DELETE FROM search_stock WHERE product_id = ?'),
      rebuildText: sqlite.prepare(`INSERT INTO search_text (search_text) VALUES ('rebuild')`),
      saveCategory: sqlite.prepare(
        `INSERT INTO search_categories (category_id, name, slug) VALUES (@id, @name, @slug)
         ON CONFLICT (category_id) DO UPDATE SET name = excluded.name, slug = excluded.slug`,
      ),
      // An id wins over a slug that happens to spell the same text.
      category: sqlite.prepare(
        `SELECT category_id AS id, name, slug, 0 AS bySlug FROM search_categories WHERE category_id = @idOrSlug
         UNION ALL SELECT category_id, name, slug, 1 FROM search_categories WHERE slug = @idOrSlug
         ORDER BY bySlug LIMIT 1`,
      ),
    };
  }

  transaction<T>(work: () => T): T {
    return this.sqlite.transaction(work)();
  }

  /** One page of hits, in the given order. */
  page(filters: SearchFilters, sort: SearchSort, limit: number, offset: number): HitRow[] {
    const statement = this.pages.get(`${filters.match !== null}:${sort}`);
    if (!statement) throw new Error(`No query prepared for sort ${sort} ${filters.match === null ? 'without' : 'with'} text`);
    return statement.all({ ...bind(filters), limit, offset }) as HitRow[];
  }

  /** Matching products per category, with every filter but the category; most matches first, then by name. */
  countByCategory(filters: SearchFilters): FacetRow[] {
    return this.facets[filters.match === null ? 'browse' : 'text'].all(bind(filters)) as FacetRow[];
  }

  saveCategory(category: Category): void {
    this.stmts.saveCategory.run(category);
  }

  /** The category with this id or, failing that, this slug. */
  category(idOrSlug: string): Category | undefined {
    const row = this.stmts.category.get({ idOrSlug }) as (Category & { bySlug: number }) | undefined;
    return row && { id: row.id, name: row.name, slug: row.slug };
  }

  /** Stores a product's whole state unless a newer one is already held. */
  saveProduct(product: Product): void {
    this.stmts.saveProduct.run({ ...product, active: product.active ? 1 : 0 });
  }

  archive(productId: string): void {
    this.stmts.archive.run({ id: productId });
  }

  reprice(productId: string, price: number, changedAt: string): void {
    this.stmts.reprice.run(price, productId, changedAt);
  }

  saveStock(productId: string, available: number, changedAt: string): void {
    this.stmts.saveStock.run(productId, available, changedAt);
    this.stmts.copyStock.run({ id: productId });
  }

  /** Drops products (and their stock) older than `before` that a rebuild did not see, then re-indexes all text. */
  removeUnseen(seen: Set<string>, before: string): void {
    for (const id of this.stmts.productIdsBefore.all(before) as string[]) {
      if (seen.has(id)) continue;
      this.stmts.deleteProduct.run(id);
      this.stmts.deleteStock.run(id);
    }
    this.stmts.rebuildText.run();
  }
}

function bind(f: SearchFilters) {
  return {
    match: f.match,
    categoryId: f.categoryId ?? null,
    minPrice: f.minPrice ?? null,
    maxPrice: f.maxPrice ?? null,
    inStock: f.inStock === undefined ? null : Number(f.inStock),
  };
}
