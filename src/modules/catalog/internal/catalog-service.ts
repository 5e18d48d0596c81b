import type { z } from 'zod';
import type { Implementation } from '../../../kernel/contract.ts';
import { conflict, notFound, unprocessable } from '../../../kernel/errors.ts';
import type { ReadCache } from '../../../kernel/persistence/read-cache.ts';
import type { Executor } from '../../../kernel/persistence/sql.ts';
import { catalogContract, type CatalogContract, type Category, type NewProduct, type Product, type ProductChanges } from '../contract.ts';
import { newCategoryRow, newProductRow, toCategory, toProduct } from './catalog-records.ts';
import type { CatalogStore, ProductRow } from './catalog-store.ts';
import { buildDemoCatalog } from './demo-catalog.ts';
import type { DemoCatalogSeeder } from './demo-catalog-seeder.ts';

const { events } = catalogContract;

type ProductPage = { items: Product[]; total: number };
export type CachedRead = ProductPage | Product | { items: Category[] };
const now = () => new Date().toISOString();
const productKey = (id: string) => `product:${id}`;
const idOfProductKey = (key: string) => key.slice('product:'.length);

/** The catalog's use cases; each public method is one call of its contract. */
export class CatalogService implements Implementation<CatalogContract> {
  constructor(
    private readonly store: CatalogStore,
    private readonly seeder: DemoCatalogSeeder,
    /** Shop-window reads (category lists, product pages) by their arguments; any catalog write clears it. */
    private readonly reads: ReadCache<CachedRead>,
  ) {}

  listCategories() {
    return this.reads.get('categories', async () => ({ items: (await this.store.categories()).map(toCategory) }));
  }

  async createCategory(input: { name: string; slug: string }): Promise<Category> {
    const row = newCategoryRow(input, now());
    await this.store.transaction(async (tx) => {
      if (await this.store.categoryBySlug(row.slug, tx)) throw conflict(`The category slug "${row.slug}" is taken`);
      await this.store.insertCategory(tx, row);
      await tx.publish(events.category_created, { category: toCategory(row) }, { key: row.id });
    });
    return toCategory(row);
  }

  /** `categoryId` may also be the category's slug, so links can read /api/products?category=books. */
  listProducts({ categoryId, limit, offset }: { categoryId?: string; limit: number; offset: number }) {
    return this.reads.get(`list:${limit}:${offset}:${categoryId ?? ''}`, async () => {
      let category: string | undefined;
      if (categoryId !== undefined) {
        category = ((await this.store.categoryById(categoryId)) ?? (await this.store.categoryBySlug(categoryId)))?.id;
        if (!category) return { items: [] as Product[], total: 0 };
      }
      const { rows, total } = await this.store.activeProducts({ categoryId: category, limit, offset });
      return { items: rows.map(toProduct), total };
    });
  }

  getProduct({ productId }: { productId: string }): Promise<Product> {
    return this.reads.get(productKey(productId), async () => toProduct(await this.existing(productId)));
  }

  async getProducts({ productIds }: { productIds: string[] }) {
    const wanted = [...new Set(productIds)];
    const byKey = await this.reads.getMany(wanted.map(productKey), async (missing) =>
      new Map((await this.store.productsByIds(missing.map(idOfProductKey))).map((row) => [productKey(row.id), toProduct(row)])),
    );
    return { items: wanted.flatMap((id) => byKey.get(productKey(id)) ?? []) };
  }

  async createProduct(input: z.output<typeof NewProduct>): Promise<Product> {
    const row = newProductRow(input, now());
    await this.store.transaction(async (tx) => {
      if (await this.store.skuTaken(row.sku, tx)) throw conflict(`The SKU "${row.sku}" is taken`);
      await this.requireCategory(row.categoryId, tx);
      await this.store.insertProducts(tx, [row]);
      await tx.publish(events.product_created, { product: toProduct(row) }, { key: row.id });
    });
    return toProduct(row);
  }

  updateProduct({ productId, changes }: { productId: string; changes: z.output<typeof ProductChanges> }): Promise<Product> {
    return this.store.transaction(async (tx) => {
      const before = await this.existing(productId, tx);
      if (!before.active) throw unprocessable('An archived product cannot be changed');
      if (changes.categoryId !== undefined) await this.requireCategory(changes.categoryId, tx);
      const fields = {
        name: changes.name ?? before.name,
        description: changes.description ?? before.description,
        categoryId: changes.categoryId ?? before.categoryId,
        price: changes.price ?? before.price,
        weightGrams: changes.weightGrams ?? before.weightGrams,
        imageUrl: changes.imageUrl ?? before.imageUrl,
      };
      const changed = (Object.keys(fields) as Array<keyof typeof fields>).some((k) => fields[k] !== before[k]);
      if (!changed) return toProduct(before);
      const after: ProductRow = { ...before, ...fields, updatedAt: now() };
      await this.store.updateProduct(tx, productId, { ...fields, updatedAt: after.updatedAt });
      await tx.publish(events.product_updated, { product: toProduct(after) }, { key: productId });
      if (after.price !== before.price) {
        await tx.publish(events.price_changed, { productId, oldPrice: before.price, newPrice: after.price, currency: 'USD' }, { key: productId });
      }
      return toProduct(after);
    });
  }

  /** Archiving an archived product changes nothing and announces nothing. */
  async archiveProduct({ productId }: { productId: string }) {
    await this.store.transaction(async (tx) => {
      const before = await this.existing(productId, tx);
      const updatedAt = now();
      if (!(await this.store.archiveProduct(tx, productId, updatedAt))) return;
      // The new state first, for projections that follow product_updated alone; then the archive itself.
      await tx.publish(events.product_updated, { product: toProduct({ ...before, active: false, updatedAt }) }, { key: productId });
      await tx.publish(events.product_archived, { productId }, { key: productId });
    });
    return {};
  }

  async exportProducts({ after, limit }: { after?: string; limit: number }) {
    // One row more than asked tells whether another page follows.
    const rows = await this.store.productsAfter(after ?? '', limit + 1);
    const items = rows.slice(0, limit).map(toProduct);
    return rows.length > limit ? { items, next: items[items.length - 1].id } : { items };
  }

  async seedDemo({ products }: { products: number }) {
    return { created: await this.seeder.seedIfEmpty(() => buildDemoCatalog(products)) };
  }

  private async existing(productId: string, on?: Executor): Promise<ProductRow> {
    const row = await this.store.productById(productId, on);
    if (!row) throw notFound('Product');
    return row;
  }

  private async requireCategory(categoryId: string, on?: Executor): Promise<void> {
    if (!(await this.store.categoryById(categoryId, on))) throw unprocessable(`There is no category with id "${categoryId}"`);
  }
}
