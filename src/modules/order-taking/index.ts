import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { on } from '../../kernel/events/handlers.ts';
import type { Outbox } from '../../kernel/events/outbox.ts';
import { defineModule } from '../../kernel/module.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { cartContract, type CartContract } from '../cart/contract.ts';
import { logisticsContract, type LogisticsContract } from '../logistics/contract.ts';
import { orderProcessingContract, type OrderProcessingContract } from '../order-processing/contract.ts';
import { userContract, type UserContract } from '../user/contract.ts';
import { orderTakingContract } from './contract.ts';
import { CheckoutKeys } from './internal/checkout-keys.ts';
import { orderTakingRoutes } from './internal/http.ts';
import { TrackOrderProgress } from './internal/on-order-status-changed.ts';
import { NoteTrackingNumber } from './internal/on-shipment-created.ts';
import { OrderDrafts } from './internal/order-drafts.ts';
import { OrderTakingService } from './internal/order-taking-service.ts';
import { OrderTakingStore } from './internal/order-taking-store.ts';

export default defineModule({
  contract: orderTakingContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(OrderTakingStore).toResolvedValue((db: Db) => new OrderTakingStore(db), [Kernel.Db]);
    bind(CheckoutKeys).toResolvedValue((store: OrderTakingStore) => new CheckoutKeys(store), [OrderTakingStore]);
    bind(OrderDrafts).toResolvedValue(
      (cart: Api<CartContract>, user: Api<UserContract>, logistics: Api<LogisticsContract>) => new OrderDrafts(cart, user, logistics),
      [cartContract.token, userContract.token, logisticsContract.token],
    );
    bind(OrderTakingService).toResolvedValue(
      (store: OrderTakingStore, keys: CheckoutKeys, drafts: OrderDrafts, outbox: Outbox, processing: Api<OrderProcessingContract>) =>
        new OrderTakingService(store, keys, drafts, outbox, processing),
      [OrderTakingStore, CheckoutKeys, OrderDrafts, Kernel.Outbox, orderProcessingContract.token],
    );
    bind(TrackOrderProgress).toResolvedValue((store: OrderTakingStore) => new TrackOrderProgress(store), [OrderTakingStore]);
    bind(NoteTrackingNumber).toResolvedValue((store: OrderTakingStore) => new NoteTrackingNumber(store), [OrderTakingStore]);
  },
  implementation: OrderTakingService,
  routes: orderTakingRoutes,
  handlers: [on(orderProcessingContract.events.status_changed, TrackOrderProgress), on(logisticsContract.events.shipment_created, NoteTrackingNumber)],
});
