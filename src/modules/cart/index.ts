import { fileURLToPath } from 'node:url';
import { on } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract } from '../catalog/contract.ts';
import { orderTakingContract } from '../order-taking/contract.ts';
import { cartContract } from './contract.ts';
import { CartService } from './internal/cart-service.ts';
import { CartStore } from './internal/cart-store.ts';
import { cartRoutes } from './internal/http.ts';
import { RemoveOrderedItemsFromCart } from './internal/on-order-placed.ts';

export default defineModule({
  contract: cartContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings: [
    provide(CartStore, [Kernel.Db]),
    provide(CartService, [CartStore, catalogContract.token]),
    provide(RemoveOrderedItemsFromCart, [CartStore]),
  ],
  implementation: CartService,
  routes: cartRoutes,
  handlers: [on(orderTakingContract.events.placed, RemoveOrderedItemsFromCart)],
});
