import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { on } from '../../kernel/events/handlers.ts';
import { defineModule } from '../../kernel/module.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { orderTakingContract } from '../order-taking/contract.ts';
import { cartContract } from './contract.ts';
import { CartService } from './internal/cart-service.ts';
import { CartStore } from './internal/cart-store.ts';
import { cartRoutes } from './internal/http.ts';
import { RemoveOrderedItemsFromCart } from './internal/on-order-placed.ts';

export default defineModule({
  contract: cartContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(CartStore).toResolvedValue((db: Db) => new CartStore(db), [Kernel.Db]);
    bind(CartService).toResolvedValue((store: CartStore, catalog: Api<CatalogContract>) => new CartService(store, catalog), [CartStore, catalogContract.token]);
    bind(RemoveOrderedItemsFromCart).toResolvedValue((store: CartStore) => new RemoveOrderedItemsFromCart(store), [CartStore]);
  },
  implementation: CartService,
  routes: cartRoutes,
  handlers: [on(orderTakingContract.events.placed, RemoveOrderedItemsFromCart)],
});
