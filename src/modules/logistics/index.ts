import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import type { Config } from '../../kernel/config.ts';
import type { Outbox } from '../../kernel/events/outbox.ts';
import { defineModule } from '../../kernel/module.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { logisticsContract } from './contract.ts';
import { logisticsRoutes } from './internal/http.ts';
import { LogisticsService } from './internal/logistics-service.ts';
import { LogisticsStore } from './internal/logistics-store.ts';

export default defineModule({
  contract: logisticsContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(LogisticsStore).toResolvedValue((db: Db) => new LogisticsStore(db), [Kernel.Db]);
    bind(LogisticsService).toResolvedValue(
      (store: LogisticsStore, catalog: Api<CatalogContract>, outbox: Outbox, config: Config) =>
        new LogisticsService(store, catalog, outbox, config.carrierWebhookSecret),
      [LogisticsStore, catalogContract.token, Kernel.Outbox, Kernel.Config],
    );
  },
  implementation: LogisticsService,
  routes: logisticsRoutes,
});
