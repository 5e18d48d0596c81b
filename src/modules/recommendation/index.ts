import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { on } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import type { ReadCaches } from '../../kernel/persistence/read-cache.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { orderProcessingContract } from '../order-processing/contract.ts';
import { orderTakingContract } from '../order-taking/contract.ts';
import { wishlistContract } from '../wishlist/contract.ts';
import { recommendationContract } from './contract.ts';
import { recommendationRoutes } from './internal/http.ts';
import { RememberOrderLines } from './internal/on-order-placed.ts';
import { CountPaidOrder } from './internal/on-order-status-changed.ts';
import { RetireArchivedProduct } from './internal/on-product-archived.ts';
import { LearnNewProduct } from './internal/on-product-created.ts';
import { FollowProductChange } from './internal/on-product-updated.ts';
import { RememberWish } from './internal/on-wishlist-item-added.ts';
import { ForgetWish } from './internal/on-wishlist-item-removed.ts';
import { PurchaseCounter } from './internal/purchase-counter.ts';
import { RecommendationService, type Pick } from './internal/recommendation-service.ts';
import { RecommendationStore } from './internal/recommendation-store.ts';

export default defineModule({
  contract: recommendationContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings: [
    provide(RecommendationStore, [Kernel.Db, Kernel.Sqlite]),
    provide(PurchaseCounter, [RecommendationStore]),
    provide(RecommendationService, [RecommendationStore, catalogContract.token, Kernel.ReadCaches], (store: RecommendationStore, catalog: Api<CatalogContract>, caches: ReadCaches) =>
      new RecommendationService(store, catalog, caches<Pick[]>({ scope: 'product_picks', tables: ['products', 'bought_together'], maxEntries: 20_000 }))),
    provide(RememberOrderLines, [RecommendationStore, PurchaseCounter]),
    provide(CountPaidOrder, [RecommendationStore, PurchaseCounter]),
    provide(LearnNewProduct, [RecommendationStore]),
    provide(FollowProductChange, [RecommendationStore]),
    provide(RetireArchivedProduct, [RecommendationStore]),
    provide(RememberWish, [RecommendationStore]),
    provide(ForgetWish, [RecommendationStore]),
  ],
  implementation: RecommendationService,
  routes: recommendationRoutes,
  handlers: [
    on(catalogContract.events.product_created, LearnNewProduct),
    on(catalogContract.events.product_updated, FollowProductChange),
    on(catalogContract.events.product_archived, RetireArchivedProduct),
    on(orderTakingContract.events.placed, RememberOrderLines),
    on(orderProcessingContract.events.status_changed, CountPaidOrder),
    on(wishlistContract.events.item_added, RememberWish),
    on(wishlistContract.events.item_removed, ForgetWish),
  ],
});
