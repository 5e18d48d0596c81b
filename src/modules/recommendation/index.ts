import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { on, project } from '../../kernel/events/handlers.ts';
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
import { PurchaseCounter } from './internal/purchase-counter.ts';
import { RecommendationService, type Pick } from './internal/recommendation-service.ts';
import { RecommendationStore } from './internal/recommendation-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: recommendationContract,
  uses: [catalogContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(RecommendationStore, [Kernel.Db]),
    provide(PurchaseCounter, [RecommendationStore]),
    provide(RecommendationService, [RecommendationStore, catalogContract.token, Kernel.ReadCaches], (store: RecommendationStore, catalog: Api<CatalogContract>, caches: ReadCaches) =>
      new RecommendationService(store, catalog, caches<Pick[]>({ scope: 'product_picks', tables: ['products', 'bought_together'], maxEntries: 20_000 }))),
  ],
  implementation: RecommendationService,
  routes: recommendationRoutes,
  handlers: [
    // A product's category feeds "same category" picks, its age puts the newest first among equals;
    // an update may move it to another category or archive it.
    project(catalogContract.events.product_created, 'LearnNewProduct', RecommendationStore, (store, { product: p }, tx) => store.saveProduct(tx, p.id, p.categoryId, p.active, p.createdAt)),
    project(catalogContract.events.product_updated, 'FollowProductChange', RecommendationStore, (store, { product: p }, tx) => store.saveProduct(tx, p.id, p.categoryId, p.active, p.createdAt)),
    // Archived products are no longer recommended; their purchase history stays for their neighbours.
    project(catalogContract.events.product_archived, 'RetireArchivedProduct', RecommendationStore, (store, { productId }, tx) => store.archiveProduct(tx, productId)),
    on(orderTakingContract.events.placed, 'RememberOrderLines', RememberOrderLines, [RecommendationStore, PurchaseCounter]),
    on(orderProcessingContract.events.status_changed, 'CountPaidOrder', CountPaidOrder, [RecommendationStore, PurchaseCounter]),
    // A wish's category points to what else the customer may like.
    project(wishlistContract.events.item_added, 'RememberWish', RecommendationStore, (store, { userId, productId }, tx) => store.addWish(tx, userId, productId)),
    project(wishlistContract.events.item_removed, 'ForgetWish', RecommendationStore, (store, { userId, productId }, tx) => store.removeWish(tx, userId, productId)),
  ],
});
