import { and, asc, count, desc, eq, gte, inArray, lt, lte, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { param, prepared, setParam } from '../../../kernel/persistence/prepared.ts';
import { chunks } from '../../../kernel/persistence/sql-pieces.ts';
import type { Executor, ModuleDb, SqlDb, Tx } from '../../../kernel/persistence/sql.ts';
import type { Category, Product } from '../../catalog/contract.ts';
import type { SearchSort as Sorts } from '../contract.ts';
import type { QueryWords } from './match-expression.ts';
import { schemas } from './tables.ts';
import { textMatchOn, type TextMatch } from './text-match.ts';

export type SearchSort = z.infer<typeof Sorts>;

export interface SearchFilters {
  /** The words to find (built by `queryWords`, never raw user input); null = every product. */
  words: QueryWords | null;
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
  inStock: boolean;
  score: number | null;
}

/** Matches in one category; name and slug are null for a category search has not heard of. */
export interface FacetRow {
  id: string;
  name: string | null;
  slug: string | null;
  count: number;
}

/** A stock level as the warehouse reported it. */
export interface StockLevel {
  productId: string;
  available: number;
  changedAt: string;
}


/** The only place that speaks SQL for search, the same on both engines but for text matching (text-match.ts). */
export class SearchStore {
  private readonly t;
  private readonly text: TextMatch;
  /** How each write meets a row already there; the same for one row (prepared) and for a list. */
  private readonly upsert;
  /** What a product write returns: the text to index. */
  private readonly written;
  /**
   * What each catalog and warehouse event writes (one product, one stock level, one category), and
   * the category every search resolves, built once per connection (kernel prepared.ts). The text
   * query itself changes shape with the words and filters, so it is built per call, as are the
   * lists a rebuild writes.
   */
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    this.text = textMatchOn(db.dialect, this.t.searchProducts);
    const { searchProducts: d, searchStock: s, searchCategories: c } = this.t;
    this.upsert = {
      category: { target: c.categoryId, set: { name: sql`excluded.name`, slug: sql`excluded.slug` } },
      product: {
        target: d.productId,
        set: {
          name: sql`excluded.name`, description: sql`excluded.description`, categoryId: sql`excluded.category_id`,
          price: sql`excluded.price`, createdAt: sql`excluded.created_at`,
          active: sql`excluded.active AND ${d.active}`, versionAt: sql`excluded.version_at`,
        },
        setWhere: sql`excluded.version_at >= ${d.versionAt}`,
      },
      stock: {
        target: s.productId,
        set: { available: sql`excluded.available`, changedAt: sql`excluded.changed_at` },
        setWhere: sql`excluded.changed_at >= ${s.changedAt}`,
      },
    };
    this.written = { productId: d.productId, name: d.name, description: d.description };
    this.q = {
      category: prepared('category_by_id_or_slug', (on) =>
        on
          .select({ id: c.categoryId, name: c.name, slug: c.slug })
          .from(c)
          .where(or(eq(c.categoryId, param('idOrSlug')), eq(c.slug, param('idOrSlug'))))
          // An id wins over a slug that happens to spell the same text.
          .orderBy(desc(sql`${c.categoryId} = ${param('idOrSlug')}`))
          .limit(1),
      ),
      saveCategory: prepared('category_save', (on) =>
        on.insert(c).values({ categoryId: param('categoryId'), name: param('name'), slug: param('slug') }).onConflictDoUpdate(this.upsert.category),
      ),
      saveProduct: prepared('product_save', (on) =>
        on
          .insert(d)
          .values({
            productId: param('productId'), name: param('name'), description: param('description'), categoryId: param('categoryId'), price: param('price'),
            active: param('active'), inStock: this.stockOf(param('productId')), createdAt: param('createdAt'), versionAt: param('versionAt'),
          })
          .onConflictDoUpdate(this.upsert.product)
          .returning(this.written),
      ),
      archive: prepared('product_archive', (on) =>
        on
          .insert(d)
          .values({ productId: param('productId'), name: '', description: '', categoryId: '', price: 0, active: false, inStock: this.stockOf(param('productId')), createdAt: '', versionAt: '' })
          .onConflictDoUpdate({ target: d.productId, set: { active: false } }),
      ),
      reprice: prepared('product_reprice', (on) =>
        on.update(d).set({ price: setParam('price') }).where(and(eq(d.productId, param('productId')), lte(d.versionAt, param('changedAt')))),
      ),
      saveStock: prepared('stock_save', (on) =>
        on.insert(s).values({ productId: param('productId'), available: param('available'), changedAt: param('changedAt') }).onConflictDoUpdate(this.upsert.stock),
      ),
      copyInStock: prepared('stock_copy_in_stock', (on) => this.copyInStock(on, eq(d.productId, param('productId')))),
    };
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** One page of hits, in the given order. */
  async page(filters: SearchFilters, sort: SearchSort, limit: number, offset: number, on: Executor = this.db): Promise<HitRow[]> {
    const d = this.t.searchProducts;
    const match = filters.words === null ? undefined : this.text.matches(filters.words);
    if (sort === 'relevance' && !match) throw new Error('Sorting by relevance needs words to rank by');
    const fields = { productId: d.productId, name: d.name, price: d.price, categoryId: d.categoryId, inStock: d.inStock };
    // Ties go to the newest; doc_id breaks ties within one millisecond (it grows as products arrive).
    const newest = [desc(d.createdAt), desc(d.docId)];
    const order: Record<SearchSort, SQL[]> = {
      relevance: match ? [desc(match.score), ...newest] : [],
      price_asc: [asc(d.price), ...newest],
      price_desc: [desc(d.price), ...newest],
      newest,
    };
    const where = this.where(filters, true);
    if (match) {
      const rows = await on.sql.select({ ...fields, score: match.score }).from(d).innerJoin(match.source, match.on).where(where)
        .orderBy(...order[sort]).limit(limit).offset(offset);
      return rows;
    }
    const rows = await on.sql.select(fields).from(d).where(where).orderBy(...order[sort]).limit(limit).offset(offset);
    return rows.map((row) => ({ ...row, score: null }));
  }

  /** Matching products per category, with every filter but the category; most matches first, then by name. */
  async countByCategory(filters: SearchFilters, on: Executor = this.db): Promise<FacetRow[]> {
    const { searchProducts: d, searchCategories: c } = this.t;
    const counting = on.sql.select({ id: d.categoryId, count: count().as('count') }).from(d).$dynamic();
    const match = filters.words === null ? undefined : this.text.matches(filters.words);
    // Counted first, named after: the counting stays on the facets index alone.
    const f = (match ? counting.innerJoin(match.source, match.on) : counting).where(this.where(filters, false)).groupBy(d.categoryId).as('f');
    return on.sql
      .select({ id: f.id, name: c.name, slug: c.slug, count: f.count })
      .from(f)
      .leftJoin(c, eq(c.categoryId, f.id))
      // Categories not heard of (no name) first among equal counts, as SQLite sorts NULL (PostgreSQL would put them last).
      .orderBy(desc(f.count), sql`${c.name} ASC NULLS FIRST`, asc(f.id));
  }

  /** What every query asks of a product; `withCategory` false leaves the category filter out (for facets). */
  private where(f: SearchFilters, withCategory: boolean): SQL | undefined {
    const d = this.t.searchProducts;
    return and(
      eq(d.active, true),
      withCategory && f.categoryId !== undefined ? eq(d.categoryId, f.categoryId) : undefined,
      f.minPrice !== undefined ? gte(d.price, f.minPrice) : undefined,
      f.maxPrice !== undefined ? lte(d.price, f.maxPrice) : undefined,
      f.inStock !== undefined ? eq(d.inStock, f.inStock) : undefined,
    );
  }

  async saveCategories(tx: Tx, categories: Category[]): Promise<void> {
    const c = this.t.searchCategories;
    if (categories.length === 0) return;
    if (categories.length === 1) {
      const [{ id, name, slug }] = categories;
      await this.q.saveCategory(tx, { categoryId: id, name, slug });
      return;
    }
    await tx.sql
      .insert(c)
      .values(categories.map(({ id, name, slug }) => ({ categoryId: id, name, slug })))
      .onConflictDoUpdate(this.upsert.category);
  }

  saveCategory(tx: Tx, category: Category): Promise<void> {
    return this.saveCategories(tx, [category]);
  }

  /** The category with this id or, failing that, this slug. */
  async category(idOrSlug: string, on: Executor = this.db): Promise<Category | undefined> {
    const [row] = await this.q.category(on, { idOrSlug });
    return row;
  }

  /** Stores each product's whole state unless a newer one is already held (one product at most once in `products`). */
  async saveProducts(tx: Tx, products: Product[]): Promise<void> {
    const d = this.t.searchProducts;
    if (products.length === 0) return;
    const row = (p: Product) => ({
      productId: p.id, name: p.name, description: p.description, categoryId: p.categoryId, price: p.price,
      active: p.active, createdAt: p.createdAt, versionAt: p.updatedAt,
    });
    const written =
      products.length === 1
        ? await this.q.saveProduct(tx, row(products[0]))
        : await tx.sql
            .insert(d)
            .values(products.map((p) => ({ ...row(p), inStock: this.stockOf(p.id) })))
            .onConflictDoUpdate(this.upsert.product)
            .returning(this.written);
    await this.text.indexed(tx, written);
  }

  saveProduct(tx: Tx, product: Product): Promise<void> {
    return this.saveProducts(tx, [product]);
  }

  /** A product archived before its creation reached search is kept as an inactive placeholder. */
  async archive(tx: Tx, productId: string): Promise<void> {
    await this.q.archive(tx, { productId });
  }

  /** The price alone does not move version_at: the product_updated sent with it still applies in full. */
  async reprice(tx: Tx, productId: string, price: number, changedAt: string): Promise<void> {
    await this.q.reprice(tx, { productId, price, changedAt });
  }

  /** Stores stock levels unless newer ones are held, and copies whether each product is in stock to its row. */
  async saveStocks(tx: Tx, levels: StockLevel[]): Promise<void> {
    const s = this.t.searchStock;
    const d = this.t.searchProducts;
    if (levels.length === 0) return;
    if (levels.length === 1) {
      const [{ productId, available, changedAt }] = levels;
      await this.q.saveStock(tx, { productId, available, changedAt });
      await this.q.copyInStock(tx, { productId });
      return;
    }
    await tx.sql.insert(s).values(levels).onConflictDoUpdate(this.upsert.stock);
    await this.copyInStock(tx.sql, inArray(d.productId, levels.map((l) => l.productId)));
  }

  /** Copies whether each product `which` keeps is in stock to its row. */
  private copyInStock(on: SqlDb, which: SQL) {
    const d = this.t.searchProducts;
    const inStock = this.stockOfRow();
    // Only a real flip is written: most stock reports leave in_stock as it was.
    return on.update(d).set({ inStock }).where(and(which, sql`${d.inStock} IS DISTINCT FROM ${inStock}`));
  }

  saveStock(tx: Tx, productId: string, available: number, changedAt: string): Promise<void> {
    return this.saveStocks(tx, [{ productId, available, changedAt }]);
  }

  /** Indexes the text of products copied in without it (see TextMatch.indexMissing); how many. */
  indexMissingText(): Promise<number> {
    return this.db.transaction((tx) => this.text.indexMissing(tx));
  }

  /** Drops products (and their stock) older than `before` that a rebuild did not see, then re-indexes all text. */
  async removeUnseen(tx: Tx, seen: Set<string>, before: string): Promise<void> {
    const { searchProducts: d, searchStock: s } = this.t;
    const older = await tx.sql.select({ productId: d.productId }).from(d).where(lt(d.versionAt, before));
    const unseen = older.map((r) => r.productId).filter((id) => !seen.has(id));
    for (const ids of chunks(unseen)) {
      await tx.sql.delete(d).where(inArray(d.productId, ids));
      await tx.sql.delete(s).where(inArray(s.productId, ids));
    }
    await this.text.reindexAll(tx);
  }

  /** In stock as search_stock says now: for products arriving after their stock level. */
  private stockOf(productId: string | Placeholder): SQL<boolean> {
    const s = this.t.searchStock;
    return sql<boolean>`EXISTS (SELECT 1 FROM ${s} WHERE ${s.productId} = ${productId} AND ${s.available} > 0)`;
  }

  /** The same for the search_products row a statement is on. */
  private stockOfRow(): SQL<boolean> {
    const { searchStock: s, searchProducts: d } = this.t;
    return sql<boolean>`EXISTS (SELECT 1 FROM ${s} WHERE ${s.productId} = ${d.productId} AND ${s.available} > 0)`;
  }
}
