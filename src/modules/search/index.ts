import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { project } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { ReadCaches } from '../../kernel/persistence/read-cache.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { warehouseContract, type WarehouseContract } from '../warehouse/contract.ts';
import { searchContract } from './contract.ts';
import { searchRoutes } from './internal/http.ts';
import { SearchService, type SearchAnswer } from './internal/search-service.ts';
import { SearchStore } from './internal/search-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: searchContract,
  uses: [catalogContract, warehouseContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(SearchStore, [Kernel.Db]),
    provide(SearchService, [SearchStore, Kernel.ReadCaches, catalogContract.token, warehouseContract.token, Kernel.Logger],
      (store: SearchStore, caches: ReadCaches, catalog: Api<CatalogContract>, warehouse: Api<WarehouseContract>, logger: Logger) =>
        // The text index is derived from search_products (FTS5 by triggers on SQLite, a generated column on
        // PostgreSQL), so watching the products covers it.
        new SearchService(store, caches<SearchAnswer>({ scope: 'search_answers', tables: ['search_products', 'search_categories'], maxEntries: 2_000 }), catalog, warehouse, logger)),
  ],
  implementation: SearchService,
  routes: searchRoutes,
  // The index is search's own copy of the catalog and of availability: each event is written as it says.
  // A price or stock change carries when it happened, so a late one cannot overwrite a newer one.
  handlers: [
    project(catalogContract.events.category_created, 'LearnNewCategory', SearchStore, (store, { category }, tx) => store.saveCategory(tx, category)),
    project(catalogContract.events.product_created, 'IndexNewProduct', SearchStore, (store, { product }, tx) => store.saveProduct(tx, product)),
    project(catalogContract.events.product_updated, 'ReindexChangedProduct', SearchStore, (store, { product }, tx) => store.saveProduct(tx, product)),
    project(catalogContract.events.price_changed, 'RepriceIndexedProduct', SearchStore, (store, p, tx, event) => store.reprice(tx, p.productId, p.newPrice, event.occurredAt)),
    project(catalogContract.events.product_archived, 'DropArchivedProduct', SearchStore, (store, { productId }, tx) => store.archive(tx, productId)),
    project(warehouseContract.events.availability_changed, 'TrackStockForSearch', SearchStore, (store, p, tx, event) => store.saveStock(tx, p.productId, p.available, event.occurredAt)),
  ],
  // Rows copied from SQLite by `npm run db:move` arrive without PostgreSQL's folded text: index them before the first search.
  onStart: async (c) => {
    await c.get(SearchStore).indexMissingText();
  },
});
