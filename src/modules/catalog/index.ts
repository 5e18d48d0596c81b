import { fileURLToPath } from 'node:url';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import type { ReadCaches } from '../../kernel/persistence/read-cache.ts';
import { catalogContract } from './contract.ts';
import { CatalogService, type CachedRead } from './internal/catalog-service.ts';
import { CatalogStore } from './internal/catalog-store.ts';
import { DemoCatalogSeeder, seedDemoCatalogIfAsked } from './internal/demo-catalog-seeder.ts';
import { catalogRoutes } from './internal/http.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: catalogContract,
  uses: [],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(CatalogStore, [Kernel.Db]),
    provide(DemoCatalogSeeder, [CatalogStore, Kernel.Logger]),
    provide(CatalogService, [CatalogStore, DemoCatalogSeeder, Kernel.ReadCaches], (store: CatalogStore, seeder: DemoCatalogSeeder, caches: ReadCaches) =>
      new CatalogService(store, seeder, caches<CachedRead>({ scope: 'catalog_reads', tables: ['products', 'categories'], maxEntries: 20_000 }))),
  ],
  implementation: CatalogService,
  routes: catalogRoutes,
  onStart: (c) => seedDemoCatalogIfAsked(c.get(Kernel.Config), c.get(DemoCatalogSeeder)),
});
