import { fileURLToPath } from 'node:url';
import { on } from '../../kernel/events/handlers.ts';
import type { Outbox } from '../../kernel/events/outbox.ts';
import { defineModule } from '../../kernel/module.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract } from '../catalog/contract.ts';
import { warehouseContract } from './contract.ts';
import { warehouseRoutes } from './internal/http.ts';
import { OpenStockForNewProduct } from './internal/on-product-created.ts';
import { StockNotices } from './internal/stock-notices.ts';
import { WarehouseService } from './internal/warehouse-service.ts';
import { WarehouseStore } from './internal/warehouse-store.ts';

export default defineModule({
  contract: warehouseContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(WarehouseStore).toResolvedValue((db: Db) => new WarehouseStore(db), [Kernel.Db]);
    bind(StockNotices).toResolvedValue((store: WarehouseStore, outbox: Outbox) => new StockNotices(store, outbox), [WarehouseStore, Kernel.Outbox]);
    bind(WarehouseService).toResolvedValue(
      (store: WarehouseStore, notices: StockNotices, outbox: Outbox) => new WarehouseService(store, notices, outbox),
      [WarehouseStore, StockNotices, Kernel.Outbox],
    );
    bind(OpenStockForNewProduct).toResolvedValue(
      (store: WarehouseStore, notices: StockNotices) => new OpenStockForNewProduct(store, notices),
      [WarehouseStore, StockNotices],
    );
  },
  implementation: WarehouseService,
  routes: warehouseRoutes,
  handlers: [on(catalogContract.events.product_created, OpenStockForNewProduct)],
});
