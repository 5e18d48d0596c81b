import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import { on } from '../../kernel/events/handlers.ts';
import type { Logger } from '../../kernel/logger.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { logisticsContract, type LogisticsContract } from '../logistics/contract.ts';
import { orderTakingContract } from '../order-taking/contract.ts';
import { paymentContract, type PaymentContract } from '../payment/contract.ts';
import { warehouseContract, type WarehouseContract } from '../warehouse/contract.ts';
import { orderProcessingContract } from './contract.ts';
import { CarrierReports } from './internal/carrier-reports.ts';
import { RunPlacedOrder } from './internal/on-order-placed.ts';
import { DeliverOrder } from './internal/on-shipment-delivered.ts';
import { ShipOrder } from './internal/on-shipment-in-transit.ts';
import { OrderLocks } from './internal/order-locks.ts';
import { OrderProcessingService } from './internal/order-processing-service.ts';
import { OrderProcessingStore } from './internal/order-processing-store.ts';
import { OrderSaga } from './internal/order-saga.ts';
import { OrderTransitions } from './internal/order-transitions.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: orderProcessingContract,
  uses: [warehouseContract, paymentContract, logisticsContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(OrderProcessingStore, [Kernel.Db]),
    provide(OrderLocks, []),
    provide(OrderTransitions, [OrderProcessingStore, Kernel.Metrics]),
    provide(OrderSaga, [OrderProcessingStore, OrderTransitions, OrderLocks, warehouseContract.token, paymentContract.token, logisticsContract.token, Kernel.Logger],
      (store: OrderProcessingStore, transitions: OrderTransitions, locks: OrderLocks, warehouse: Api<WarehouseContract>, payment: Api<PaymentContract>, logistics: Api<LogisticsContract>, logger: Logger) =>
        new OrderSaga(store, transitions, locks, { warehouse, payment, logistics }, logger)),
    provide(CarrierReports, [OrderProcessingStore, OrderTransitions, OrderLocks, warehouseContract.token]),
    provide(OrderProcessingService, [OrderProcessingStore, OrderTransitions, OrderSaga]),
  ],
  implementation: OrderProcessingService,
  handlers: [
    on(orderTakingContract.events.placed, 'RunPlacedOrder', RunPlacedOrder, [OrderTransitions, OrderSaga]),
    on(logisticsContract.events.shipment_in_transit, 'ShipOrder', ShipOrder, [CarrierReports]),
    on(logisticsContract.events.shipment_delivered, 'DeliverOrder', DeliverOrder, [CarrierReports]),
  ],
  // A process killed mid-saga left orders half-way: finish them now rather than when their events come round again.
  onStart: (container) => container.get(OrderSaga).resumeUnfinished(),
  onStop: (container) => container.get(OrderSaga).stop(),
});
