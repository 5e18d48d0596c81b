import type { ModuleDefinition } from '../kernel/module.ts';
import user from '../modules/user/index.ts';
import catalog from '../modules/catalog/index.ts';
import search from '../modules/search/index.ts';
import cart from '../modules/cart/index.ts';
import wishlist from '../modules/wishlist/index.ts';
import orderTaking from '../modules/order-taking/index.ts';
import orderProcessing from '../modules/order-processing/index.ts';
import payment from '../modules/payment/index.ts';
import logistics from '../modules/logistics/index.ts';
import warehouse from '../modules/warehouse/index.ts';
import notification from '../modules/notification/index.ts';
import recommendation from '../modules/recommendation/index.ts';

/**
 * The module registry: every module of the shop. The composition root is the only code that
 * imports modules' index.ts files; deploy files and topologies are checked against this list.
 */
export const allModules: ModuleDefinition[] = [user, catalog, search, cart, wishlist, orderTaking, orderProcessing, payment, logistics, warehouse, notification, recommendation];

export const moduleNames = allModules.map((m) => m.contract.name);
