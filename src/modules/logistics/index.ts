import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import type { Config } from '../../kernel/config.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { logisticsContract } from './contract.ts';
import { logisticsRoutes } from './internal/http.ts';
import { LogisticsService } from './internal/logistics-service.ts';
import { LogisticsStore } from './internal/logistics-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: logisticsContract,
  uses: [catalogContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(LogisticsStore, [Kernel.Db]),
    provide(LogisticsService, [LogisticsStore, catalogContract.token, Kernel.Config], (store: LogisticsStore, catalog: Api<CatalogContract>, config: Config) =>
      new LogisticsService(store, catalog, config.carrierWebhookSecret)),
  ],
  implementation: LogisticsService,
  routes: logisticsRoutes,
});
