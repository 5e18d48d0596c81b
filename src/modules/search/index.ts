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

export default defineModule({
  contract: searchContract,
  uses: [catalogContract, warehouseContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings: [
    provide(SearchStore, [Kernel.Sqlite]),
    provide(SearchService, [SearchStore, Kernel.ReadCaches, catalogContract.token, warehouseContract.token, Kernel.Logger],
      (store: SearchStore, caches: ReadCaches, catalog: Api<CatalogContract>, warehouse: Api<WarehouseContract>, logger: Logger) =>
        // search_text (FTS5) is derived from search_products by triggers, so watching the products covers it.
        new SearchService(store, caches<SearchAnswer>({ scope: 'search_answers', tables: ['search_products', 'search_categories'], maxEntries: 2_000 }), catalog, warehouse, logger)),
  ],
  implementation: SearchService,
  routes: searchRoutes,
  // The index is search's own copy of the catalog and of availability: each event is written as it says.
  // A price or stock change carries when it happened, so a late one cannot overwrite a newer one.
  handlers: [
    project(catalogContract.events.category_created, 'LearnNewCategory', SearchStore, (store, { category }) => store.saveCategory(category)),
    project(catalogContract.events.product_created, 'IndexNewProduct', SearchStore, (store, { product }) => store.saveProduct(product)),
    project(catalogContract.events.product_updated, 'ReindexChangedProduct', SearchStore, (store, { product }) => store.saveProduct(product)),
    project(catalogContract.events.price_changed, 'RepriceIndexedProduct', SearchStore, (store, p, event) => store.reprice(p.productId, p.newPrice, event.occurredAt)),
    project(catalogContract.events.product_archived, 'DropArchivedProduct', SearchStore, (store, { productId }) => store.archive(productId)),
    project(warehouseContract.events.availability_changed, 'TrackStockForSearch', SearchStore, (store, p, event) => store.saveStock(p.productId, p.available, event.occurredAt)),
  ],
});
