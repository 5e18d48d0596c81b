import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { on } from '../../kernel/events/handlers.ts';
import type { Outbox } from '../../kernel/events/outbox.ts';
import { defineModule } from '../../kernel/module.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { cartContract, type CartContract } from '../cart/contract.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { warehouseContract, type WarehouseContract } from '../warehouse/contract.ts';
import { wishlistContract } from './contract.ts';
import { wishlistRoutes } from './internal/http.ts';
import { TellWishersOfRestock } from './internal/on-availability-changed.ts';
import { TellWishersOfPriceDrop } from './internal/on-price-changed.ts';
import { WisherNotices } from './internal/wisher-notices.ts';
import { WishlistService } from './internal/wishlist-service.ts';
import { WishlistStore } from './internal/wishlist-store.ts';

export default defineModule({
  contract: wishlistContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(WishlistStore).toResolvedValue((db: Db) => new WishlistStore(db), [Kernel.Db]);
    bind(WishlistService).toResolvedValue(
      (store: WishlistStore, catalog: Api<CatalogContract>, warehouse: Api<WarehouseContract>, cart: Api<CartContract>, outbox: Outbox) =>
        new WishlistService(store, catalog, warehouse, cart, outbox),
      [WishlistStore, catalogContract.token, warehouseContract.token, cartContract.token, Kernel.Outbox],
    );
    bind(WisherNotices).toResolvedValue((store: WishlistStore, catalog: Api<CatalogContract>) => new WisherNotices(store, catalog), [WishlistStore, catalogContract.token]);
    bind(TellWishersOfPriceDrop).toResolvedValue((notices: WisherNotices, outbox: Outbox) => new TellWishersOfPriceDrop(notices, outbox), [WisherNotices, Kernel.Outbox]);
    bind(TellWishersOfRestock).toResolvedValue((notices: WisherNotices, outbox: Outbox) => new TellWishersOfRestock(notices, outbox), [WisherNotices, Kernel.Outbox]);
  },
  implementation: WishlistService,
  routes: wishlistRoutes,
  handlers: [
    on(catalogContract.events.price_changed, TellWishersOfPriceDrop),
    on(warehouseContract.events.availability_changed, TellWishersOfRestock),
  ],
});
