import type { Config } from '../../../kernel/config.ts';
import type { Logger } from '../../../kernel/logger.ts';
import { catalogContract } from '../contract.ts';
import { newCategoryRow, newProductRow, toCategory, toProduct } from './catalog-records.ts';
import type { CatalogStore } from './catalog-store.ts';
import { buildBoutiqueCatalog } from './boutique-catalog.ts';
import { buildDemoCatalog, type DemoCatalog } from './demo-catalog.ts';

/** Products a fresh development shop starts with. */
export const DEFAULT_DEMO_PRODUCTS = 500;
/** Products per transaction: large enough to be fast, small enough not to hold the write lock for long. */
const BATCH = 1000;

const { events } = catalogContract;

/** Fills an empty catalog with a demo catalog, announcing every category and product like any other. */
export class DemoCatalogSeeder {
  constructor(
    private readonly store: CatalogStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Seeds the catalog `build` makes (only built when needed: it may be large). Returns how many
   * products it created: 0 when the catalog already had categories or products.
   */
  async seedIfEmpty(build: () => DemoCatalog): Promise<number> {
    if (!(await this.store.isEmpty())) return 0;
    const demo = build();
    const categoryIds = await this.store.transaction(async (tx) => {
      // Checked again with the write lock held: replicas starting together seed only once.
      if (!(await this.store.isEmpty(tx))) return null;
      const now = new Date().toISOString();
      const ids = new Map<string, string>();
      for (const category of demo.categories) {
        const row = newCategoryRow(category, now);
        await this.store.insertCategory(tx, row);
        await tx.publish(events.category_created, { category: toCategory(row) }, { key: row.id });
        ids.set(category.slug, row.id);
      }
      return ids;
    });
    if (!categoryIds) return 0;
    for (let start = 0; start < demo.products.length; start += BATCH) {
      await this.store.transaction(async (tx) => {
        const rows = demo.products.slice(start, start + BATCH)
          .map(({ categorySlug, id, ...draft }) => {
            const row = newProductRow({ ...draft, categoryId: categoryIds.get(categorySlug)! }, new Date().toISOString());
            return id ? { ...row, id } : row;
          });
        await this.store.insertProducts(tx, rows);
        for (const row of rows) await tx.publish(events.product_created, { product: toProduct(row) }, { key: row.id });
      });
      // Lets the relay hand this batch on while the next one is written.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.logger.info({ products: demo.products.length, categories: categoryIds.size }, 'demo catalog seeded');
    return demo.products.length;
  }
}

/** At start: seeds the demo catalog SEED_DEMO names (the generated one by default outside production). */
export async function seedDemoCatalogIfAsked(config: Config, seeder: DemoCatalogSeeder): Promise<void> {
  if (config.seedDemo === 'generated') await seeder.seedIfEmpty(() => buildDemoCatalog(DEFAULT_DEMO_PRODUCTS));
  if (config.seedDemo === 'boutique') await seeder.seedIfEmpty(buildBoutiqueCatalog);
}
