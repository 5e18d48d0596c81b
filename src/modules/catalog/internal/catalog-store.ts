import { and, asc, count, desc, eq, getTableColumns, gt, inArray, max, sql, type SQL } from 'drizzle-orm';
import { param, prepared } from '../../../kernel/persistence/prepared.ts';
import type { Executor, ModuleDb, SqlDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

type Tables = typeof schemas.postgres;
export type CategoryRow = Tables['categories']['$inferSelect'];
/** A product as the catalog holds it. Its `seq` (insertion order) never leaves the store. */
export type ProductRow = Omit<Tables['products']['$inferSelect'], 'seq'>;
export type ProductFields = Pick<ProductRow, 'name' | 'description' | 'categoryId' | 'price' | 'weightGrams' | 'imageUrl'>;

/** The only place that speaks SQL for the catalog, the same on both engines. */
export class CatalogStore {
  private readonly t;
  /** Every product column but `seq`. */
  private readonly productColumns;
  /**
   * The reads of every cart read, checkout and shop-window list, built once per connection
   * (kernel prepared.ts). A product list has two forms, over the whole shop and over one category
   * (each served by its own index), so each is prepared, with its count.
   */
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { seq: _seq, ...columns } = getTableColumns(this.t.products);
    this.productColumns = columns;
    const { categories, products } = this.t;
    const active = eq(products.active, true);
    const inCategory = and(eq(products.categoryId, param('categoryId')), active);
    this.q = {
      categories: prepared('categories', (d) => d.select().from(categories).orderBy(asc(categories.name), asc(categories.id))),
      categoryById: prepared('category_by_id', (d) => d.select().from(categories).where(eq(categories.id, param('id')))),
      categoryBySlug: prepared('category_by_slug', (d) => d.select().from(categories).where(eq(categories.slug, param('slug')))),
      productById: prepared('product_by_id', (d) => d.select(columns).from(products).where(eq(products.id, param('id')))),
      activeProducts: prepared('active_products', (d) => this.activePage(d, active)),
      activeProductsCount: prepared('active_products_count', (d) => this.counting(d, active)),
      categoryProducts: prepared('category_active_products', (d) => this.activePage(d, inCategory)),
      categoryProductsCount: prepared('category_active_products_count', (d) => this.counting(d, inCategory)),
      productsAfter: prepared('products_after', (d) =>
        d.select(columns).from(products).where(gt(products.id, param('after'))).orderBy(asc(products.id)).limit(param('limit')),
      ),
    };
  }

  /**
   * Runs `work` in one transaction. The module's transactions run one at a time (across every
   * process sharing the database), so a check ("is the SKU free?") and the write it guards cannot
   * interleave with another process.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  categories(on: Executor = this.db): Promise<CategoryRow[]> {
    return this.q.categories(on);
  }

  async categoryById(id: string, on: Executor = this.db): Promise<CategoryRow | undefined> {
    const [row] = await this.q.categoryById(on, { id });
    return row;
  }

  async categoryBySlug(slug: string, on: Executor = this.db): Promise<CategoryRow | undefined> {
    const [row] = await this.q.categoryBySlug(on, { slug });
    return row;
  }

  async insertCategory(tx: Tx, row: CategoryRow): Promise<void> {
    await tx.sql.insert(this.t.categories).values(row);
  }

  async productById(id: string, on: Executor = this.db): Promise<ProductRow | undefined> {
    const [row] = await this.q.productById(on, { id });
    return row;
  }

  async skuTaken(sku: string, on: Executor = this.db): Promise<boolean> {
    const { products } = this.t;
    const [row] = await on.sql.select({ id: products.id }).from(products).where(eq(products.sku, sku));
    return row !== undefined;
  }

  async productsByIds(ids: string[], on: Executor = this.db): Promise<ProductRow[]> {
    const { products } = this.t;
    if (ids.length === 0) return [];
    // One id (a cart of one product, most often) is the prepared read by id: the same row.
    if (ids.length === 1) return this.q.productById(on, { id: ids[0] });
    return on.sql.select(this.productColumns).from(products).where(inArray(products.id, ids));
  }

  /**
   * Active products, newest first, with how many there are in all. The page and the count are one
   * statement, so both see the same state of the table.
   */
  async activeProducts(page: { categoryId?: string; limit: number; offset: number }, on: Executor = this.db): Promise<{ rows: ProductRow[]; total: number }> {
    const { categoryId, limit, offset } = page;
    const [found, counting] =
      categoryId === undefined
        ? [await this.q.activeProducts(on, { limit, offset }), () => this.q.activeProductsCount(on)]
        : [await this.q.categoryProducts(on, { categoryId, limit, offset }), () => this.q.categoryProductsCount(on, { categoryId })];
    if (found.length === 0) {
      // A page past the end carries no count: ask for it alone.
      const [row] = await counting();
      return { rows: [], total: row?.n ?? 0 };
    }
    return { rows: found.map(({ total: _total, ...row }) => row), total: found[0]!.total };
  }

  /** How many products `where` keeps. */
  private counting(d: SqlDb, where: SQL | undefined) {
    const { products } = this.t;
    return d.select({ n: count() }).from(products).where(where);
  }

  /** One page of the products `where` keeps, newest first, each row with how many there are in all. */
  private activePage(d: SqlDb, where: SQL | undefined) {
    const { products } = this.t;
    return (
      d
        .select({ ...this.productColumns, total: sql<number>`(${this.counting(d, where)})`.mapWith(Number) })
        .from(products)
        .where(where)
        // Insertion order breaks ties between products created in the same millisecond (demo seeding).
        .orderBy(desc(products.createdAt), desc(products.seq))
        .limit(param('limit'))
        .offset(param('offset'))
    );
  }

  /** Every product in id order, starting after `after` ('' = from the first). */
  productsAfter(after: string, limit: number, on: Executor = this.db): Promise<ProductRow[]> {
    return this.q.productsAfter(on, { after, limit });
  }

  async isEmpty(on: Executor = this.db): Promise<boolean> {
    const { categories, products } = this.t;
    const [category] = await on.sql.select({ id: categories.id }).from(categories).limit(1);
    if (category) return false;
    const [product] = await on.sql.select({ id: products.id }).from(products).limit(1);
    return product === undefined;
  }

  /** Inserts products in one statement, numbered in the order given after every product already there. */
  async insertProducts(tx: Tx, rows: ProductRow[]): Promise<void> {
    const { products } = this.t;
    if (rows.length === 0) return;
    // Safe to number here: the module's transactions run one at a time (and seq is unique besides).
    const [highest] = await tx.sql.select({ seq: max(products.seq) }).from(products);
    const after = highest?.seq ?? 0;
    await tx.sql.insert(products).values(rows.map((row, i) => ({ ...row, seq: after + i + 1 })));
  }

  async updateProduct(tx: Tx, id: string, fields: ProductFields & Pick<ProductRow, 'updatedAt'>): Promise<void> {
    const { products } = this.t;
    await tx.sql.update(products).set(fields).where(eq(products.id, id));
  }

  /** Marks an active product archived; false if it was archived already (or unknown). */
  async archiveProduct(tx: Tx, id: string, updatedAt: string): Promise<boolean> {
    const { products } = this.t;
    const changed = await tx.sql
      .update(products)
      .set({ active: false, updatedAt })
      .where(and(eq(products.id, id), eq(products.active, true)))
      .returning({ id: products.id });
    return changed.length > 0;
  }
}
