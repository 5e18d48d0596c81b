import { and, asc, count, desc, eq, getTableColumns, gt, inArray, max, sql } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
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

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { seq: _seq, ...columns } = getTableColumns(this.t.products);
    this.productColumns = columns;
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
    const { categories } = this.t;
    return on.sql.select().from(categories).orderBy(asc(categories.name), asc(categories.id));
  }

  async categoryById(id: string, on: Executor = this.db): Promise<CategoryRow | undefined> {
    const { categories } = this.t;
    const [row] = await on.sql.select().from(categories).where(eq(categories.id, id)).limit(1);
    return row;
  }

  async categoryBySlug(slug: string, on: Executor = this.db): Promise<CategoryRow | undefined> {
    const { categories } = this.t;
    const [row] = await on.sql.select().from(categories).where(eq(categories.slug, slug)).limit(1);
    return row;
  }

  async insertCategory(tx: Tx, row: CategoryRow): Promise<void> {
    await tx.sql.insert(this.t.categories).values(row);
  }

  async productById(id: string, on: Executor = this.db): Promise<ProductRow | undefined> {
    const { products } = this.t;
    const [row] = await on.sql.select(this.productColumns).from(products).where(eq(products.id, id)).limit(1);
    return row;
  }

  async skuTaken(sku: string, on: Executor = this.db): Promise<boolean> {
    const { products } = this.t;
    const [row] = await on.sql.select({ id: products.id }).from(products).where(eq(products.sku, sku)).limit(1);
    return row !== undefined;
  }

  async productsByIds(ids: string[], on: Executor = this.db): Promise<ProductRow[]> {
    const { products } = this.t;
    if (ids.length === 0) return [];
    return on.sql.select(this.productColumns).from(products).where(inArray(products.id, ids));
  }

  /**
   * Active products, newest first, with how many there are in all. The page and the count are one
   * statement, so both see the same state of the table.
   */
  async activeProducts(page: { categoryId?: string; limit: number; offset: number }, on: Executor = this.db): Promise<{ rows: ProductRow[]; total: number }> {
    const { products } = this.t;
    const { categoryId, limit, offset } = page;
    const active = eq(products.active, true);
    const where = categoryId === undefined ? active : and(eq(products.categoryId, categoryId), active);
    const counting = on.sql.select({ n: count() }).from(products).where(where);
    const found = await on.sql
      .select({ ...this.productColumns, total: sql<number>`(${counting})`.mapWith(Number) })
      .from(products)
      .where(where)
      // Insertion order breaks ties between products created in the same millisecond (demo seeding).
      .orderBy(desc(products.createdAt), desc(products.seq))
      .limit(limit)
      .offset(offset);
    if (found.length === 0) {
      // A page past the end carries no count: ask for it alone.
      const [row] = await counting;
      return { rows: [], total: row?.n ?? 0 };
    }
    return { rows: found.map(({ total: _total, ...row }) => row), total: found[0]!.total };
  }

  /** Every product in id order, starting after `after` ('' = from the first). */
  productsAfter(after: string, limit: number, on: Executor = this.db): Promise<ProductRow[]> {
    const { products } = this.t;
    return on.sql.select(this.productColumns).from(products).where(gt(products.id, after)).orderBy(asc(products.id)).limit(limit);
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
