import { fileURLToPath } from 'node:url';
import { on } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { cartContract } from '../cart/contract.ts';
import { catalogContract } from '../catalog/contract.ts';
import { warehouseContract } from '../warehouse/contract.ts';
import { wishlistContract } from './contract.ts';
import { wishlistRoutes } from './internal/http.ts';
import { TellWishersOfRestock } from './internal/on-availability-changed.ts';
import { TellWishersOfPriceDrop } from './internal/on-price-changed.ts';
import { WisherNotices } from './internal/wisher-notices.ts';
import { WishlistService } from './internal/wishlist-service.ts';
import { WishlistStore } from './internal/wishlist-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: wishlistContract,
  uses: [catalogContract, warehouseContract, cartContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(WishlistStore, [Kernel.Db]),
    provide(WishlistService, [WishlistStore, catalogContract.token, warehouseContract.token, cartContract.token]),
    provide(WisherNotices, [WishlistStore, catalogContract.token]),
  ],
  implementation: WishlistService,
  routes: wishlistRoutes,
  handlers: [
    on(catalogContract.events.price_changed, 'TellWishersOfPriceDrop', TellWishersOfPriceDrop, [WisherNotices]),
    on(warehouseContract.events.availability_changed, 'TellWishersOfRestock', TellWishersOfRestock, [WisherNotices]),
  ],
});
