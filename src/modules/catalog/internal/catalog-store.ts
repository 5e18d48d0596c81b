import { and, asc, count, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { categories, products } from './schema.ts';
import { param as p, inJsonArray } from '../../../kernel/persistence/statements.ts';

export type CategoryRow = typeof categories.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type ProductFields = Pick<ProductRow, 'name' | 'description' | 'categoryId' | 'price' | 'weightGrams' | 'imageUrl'>;

// Insertion order breaks ties between products created in the same millisecond (demo seeding).
const newestFirst = [desc(products.createdAt), desc(sql`${products}.rowid`)];

/** The only place that speaks SQL for the catalog. Statements are prepared once, at start. */
export class CatalogStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const active = eq(products.active, true);
    const inCategory = and(eq(products.categoryId, p('categoryId')), active);
    this.q = {
      categories: db.select().from(categories).orderBy(asc(categories.name), asc(categories.id)).prepare(),
      categoryById: db.select().from(categories).where(eq(categories.id, p('id'))).prepare(),
      categoryBySlug: db.select().from(categories).where(eq(categories.slug, p('slug'))).prepare(),
      productById: db.select().from(products).where(eq(products.id, p('id'))).prepare(),
      productBySku: db.select({ id: products.id }).from(products).where(eq(products.sku, p('sku'))).prepare(),
      // One statement for any number of ids: they travel as one JSON array.
      productsByIds: db.select().from(products).where(inJsonArray(products.id, 'ids')).prepare(),
      activePage: db.select().from(products).where(active).orderBy(...newestFirst).limit(p('limit')).offset(p('offset')).prepare(),
      activeCount: db.select({ n: count() }).from(products).where(active).prepare(),
      categoryPage: db.select().from(products).where(inCategory).orderBy(...newestFirst).limit(p('limit')).offset(p('offset')).prepare(),
      categoryCount: db.select({ n: count() }).from(products).where(inCategory).prepare(),
      exportPage: db.select().from(products).where(gt(products.id, p('after'))).orderBy(asc(products.id)).limit(p('limit')).prepare(),
      anyCategory: db.select({ id: categories.id }).from(categories).limit(1).prepare(),
      anyProduct: db.select({ id: products.id }).from(products).limit(1).prepare(),
      insertCategory: db.insert(categories).values({ id: p('id'), name: p('name'), slug: p('slug'), createdAt: p('createdAt') }).prepare(),
      insertProduct: db.insert(products).values({
        id: p('id'), sku: p('sku'), name: p('name'), description: p('description'), categoryId: p('categoryId'), price: p('price'),
        weightGrams: p('weightGrams'), imageUrl: p('imageUrl'), active: p('active'), createdAt: p('createdAt'), updatedAt: p('updatedAt'),
      }).prepare(),
      archive: db.update(products).set({ active: false, updatedAt: sql`${p('updatedAt')}` }).where(and(eq(products.id, p('id')), eq(products.active, true))).prepare(),
    };
  }

  /**
   * Runs `work` in one transaction. 'immediate' takes the write lock before reading, so a check
   * ("is the SKU free?") and the write it guards cannot interleave with another process.
   */
  transaction<T>(work: () => T, behavior: 'deferred' | 'immediate' = 'immediate'): T {
    return this.db.transaction(() => work(), { behavior });
  }

  categories(): CategoryRow[] {
    return this.q.categories.all();
  }

  categoryById(id: string): CategoryRow | undefined {
    return this.q.categoryById.get({ id });
  }

  categoryBySlug(slug: string): CategoryRow | undefined {
    return this.q.categoryBySlug.get({ slug });
  }

  insertCategory(row: CategoryRow): void {
    this.q.insertCategory.run(row);
  }

  productById(id: string): ProductRow | undefined {
    return this.q.productById.get({ id });
  }

  skuTaken(sku: string): boolean {
    return this.q.productBySku.get({ sku }) !== undefined;
  }

  productsByIds(ids: string[]): ProductRow[] {
    return ids.length ? this.q.productsByIds.all({ ids: JSON.stringify(ids) }) : [];
  }

  /** Active products, newest first, with how many there are in all. */
  activeProducts(page: { categoryId?: string; limit: number; offset: number }): { rows: ProductRow[]; total: number } {
    const { categoryId, limit, offset } = page;
    return this.transaction(() => {
      if (categoryId === undefined) return { rows: this.q.activePage.all({ limit, offset }), total: this.q.activeCount.get()?.n ?? 0 };
      return { rows: this.q.categoryPage.all({ categoryId, limit, offset }), total: this.q.categoryCount.get({ categoryId })?.n ?? 0 };
    }, 'deferred');
  }

  /** Every product in id order, starting after `after` ('' = from the first). */
  productsAfter(after: string, limit: number): ProductRow[] {
    return this.q.exportPage.all({ after, limit });
  }

  isEmpty(): boolean {
    return this.q.anyCategory.get() === undefined && this.q.anyProduct.get() === undefined;
  }

  insertProduct(row: ProductRow): void {
    this.q.insertProduct.run(row);
  }

  updateProduct(id: string, fields: ProductFields & Pick<ProductRow, 'updatedAt'>): void {
    this.db.update(products).set(fields).where(eq(products.id, id)).run();
  }

  /** Marks an active product archived; false if it was archived already (or unknown). */
  archiveProduct(id: string, updatedAt: string): boolean {
    return this.q.archive.run({ id, updatedAt }).changes > 0;
  }
}
