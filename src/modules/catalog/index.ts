import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import type { Outbox } from '../../kernel/events/outbox.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { ReadCaches } from '../../kernel/persistence/read-cache.ts';
import { catalogContract } from './contract.ts';
import { CatalogService, type CachedRead } from './internal/catalog-service.ts';
import { CatalogStore } from './internal/catalog-store.ts';
import { DemoCatalogSeeder, seedDemoCatalogIfAsked } from './internal/demo-catalog-seeder.ts';
import { catalogRoutes } from './internal/http.ts';

export default defineModule({
  contract: catalogContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(CatalogStore).toResolvedValue((db: Db) => new CatalogStore(db), [Kernel.Db]);
    bind(DemoCatalogSeeder).toResolvedValue(
      (store: CatalogStore, outbox: Outbox, logger: Logger) => new DemoCatalogSeeder(store, outbox, logger),
      [CatalogStore, Kernel.Outbox, Kernel.Logger],
    );
    bind(CatalogService).toResolvedValue(
      (store: CatalogStore, outbox: Outbox, seeder: DemoCatalogSeeder, caches: ReadCaches) =>
        new CatalogService(store, outbox, seeder, caches<CachedRead>({ scope: 'catalog_reads', tables: ['products', 'categories'], maxEntries: 20_000 })),
      [CatalogStore, Kernel.Outbox, DemoCatalogSeeder, Kernel.ReadCaches],
    );
  },
  implementation: CatalogService,
  routes: catalogRoutes,
  onStart: (c) => seedDemoCatalogIfAsked(c.get(Kernel.Config), c.get(DemoCatalogSeeder)),
});
