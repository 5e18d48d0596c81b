import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { on } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { ReadCaches } from '../../kernel/persistence/read-cache.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { warehouseContract, type WarehouseContract } from '../warehouse/contract.ts';
import { searchContract } from './contract.ts';
import { searchRoutes } from './internal/http.ts';
import { TrackStockForSearch } from './internal/on-availability-changed.ts';
import { LearnNewCategory } from './internal/on-category-created.ts';
import { RepriceIndexedProduct } from './internal/on-price-changed.ts';
import { DropArchivedProduct } from './internal/on-product-archived.ts';
import { IndexNewProduct } from './internal/on-product-created.ts';
import { ReindexChangedProduct } from './internal/on-product-updated.ts';
import { SearchService, type SearchAnswer } from './internal/search-service.ts';
import { SearchStore } from './internal/search-store.ts';

export default defineModule({
  contract: searchContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings: [
    provide(SearchStore, [Kernel.Sqlite]),
    provide(SearchService, [SearchStore, Kernel.ReadCaches, catalogContract.token, warehouseContract.token, Kernel.Logger],
      (store: SearchStore, caches: ReadCaches, catalog: Api<CatalogContract>, warehouse: Api<WarehouseContract>, logger: Logger) =>
        // search_text (FTS5) is derived from search_products by triggers, so watching the products covers it.
        new SearchService(store, caches<SearchAnswer>({ scope: 'search_answers', tables: ['search_products', 'search_categories'], maxEntries: 2_000 }), catalog, warehouse, logger)),
    provide(LearnNewCategory, [SearchStore]),
    provide(IndexNewProduct, [SearchStore]),
    provide(ReindexChangedProduct, [SearchStore]),
    provide(RepriceIndexedProduct, [SearchStore]),
    provide(DropArchivedProduct, [SearchStore]),
    provide(TrackStockForSearch, [SearchStore]),
  ],
  implementation: SearchService,
  routes: searchRoutes,
  handlers: [
    on(catalogContract.events.category_created, LearnNewCategory),
    on(catalogContract.events.product_created, IndexNewProduct),
    on(catalogContract.events.product_updated, ReindexChangedProduct),
    on(catalogContract.events.price_changed, RepriceIndexedProduct),
    on(catalogContract.events.product_archived, DropArchivedProduct),
    on(warehouseContract.events.availability_changed, TrackStockForSearch),
  ],
});
