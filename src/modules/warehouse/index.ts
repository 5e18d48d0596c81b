import { fileURLToPath } from 'node:url';
import { on } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract } from '../catalog/contract.ts';
import { warehouseContract } from './contract.ts';
import { warehouseRoutes } from './internal/http.ts';
import { OpenStockForNewProduct } from './internal/on-product-created.ts';
import { StockNotices } from './internal/stock-notices.ts';
import { WarehouseService } from './internal/warehouse-service.ts';
import { WarehouseStore } from './internal/warehouse-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: warehouseContract,
  uses: [],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(WarehouseStore, [Kernel.Db]),
    provide(StockNotices, [WarehouseStore]),
    provide(WarehouseService, [WarehouseStore, StockNotices]),
  ],
  implementation: WarehouseService,
  routes: warehouseRoutes,
  handlers: [on(catalogContract.events.product_created, 'OpenStockForNewProduct', OpenStockForNewProduct, [WarehouseStore, StockNotices])],
});
