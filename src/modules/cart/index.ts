import { fileURLToPath } from 'node:url';
import { project } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract } from '../catalog/contract.ts';
import { orderTakingContract } from '../order-taking/contract.ts';
import { cartContract } from './contract.ts';
import { CartService } from './internal/cart-service.ts';
import { CartStore } from './internal/cart-store.ts';
import { cartRoutes } from './internal/http.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: cartContract,
  uses: [catalogContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(CartStore, [Kernel.Db]),
    provide(CartService, [CartStore, catalogContract.token]),
  ],
  implementation: CartService,
  routes: cartRoutes,
  handlers: [
    // Only the ordered units of the ordered products leave: what was put in the cart after checkout stays.
    project(orderTakingContract.events.placed, 'RemoveOrderedItemsFromCart', CartStore, (store, { userId, items }, tx) => store.takeUnits(tx, userId, items)),
  ],
});
