import { fileURLToPath } from 'node:url';
import { on, project } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { cartContract } from '../cart/contract.ts';
import { logisticsContract } from '../logistics/contract.ts';
import { orderProcessingContract } from '../order-processing/contract.ts';
import { userContract } from '../user/contract.ts';
import { orderTakingContract } from './contract.ts';
import { CheckoutKeys } from './internal/checkout-keys.ts';
import { orderTakingRoutes } from './internal/http.ts';
import { TrackOrderProgress } from './internal/on-order-status-changed.ts';
import { OrderDrafts } from './internal/order-drafts.ts';
import { OrderTakingService } from './internal/order-taking-service.ts';
import { OrderTakingStore } from './internal/order-taking-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: orderTakingContract,
  uses: [cartContract, userContract, logisticsContract, orderProcessingContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(OrderTakingStore, [Kernel.Db]),
    provide(CheckoutKeys, [OrderTakingStore]),
    provide(OrderDrafts, [cartContract.token, userContract.token, logisticsContract.token]),
    provide(OrderTakingService, [OrderTakingStore, CheckoutKeys, OrderDrafts, orderProcessingContract.token, Kernel.Logger]),
  ],
  implementation: OrderTakingService,
  routes: orderTakingRoutes,
  handlers: [
    on(orderProcessingContract.events.status_changed, 'TrackOrderProgress', TrackOrderProgress, [OrderTakingStore]),
    // Booking a parcel does not change the order's status, so no status report carries its tracking number until pick-up.
    project(logisticsContract.events.shipment_created, 'NoteTrackingNumber', OrderTakingStore, (store, { orderId, trackingNumber }, tx, event) => store.recordShipment(tx, orderId, trackingNumber, event.occurredAt)),
  ],
});
