import { fileURLToPath } from 'node:url';
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logger.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import type { ModuleDb } from '../../kernel/persistence/sql.ts';
import type { ModuleMetrics } from '../../kernel/metrics.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { paymentContract } from './contract.ts';
import { paymentRoutes } from './internal/http.ts';
import { PaymentGatewayPort, type PaymentGateway } from './internal/payment-gateway.ts';
import { PaymentService } from './internal/payment-service.ts';
import { PaymentStore } from './internal/payment-store.ts';
import { TestGateway } from './internal/test-gateway.ts';
import { TestGatewayStore } from './internal/test-gateway-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: paymentContract,
  uses: [],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(PaymentStore, [Kernel.Db]),
    provide(TestGateway, [Kernel.Db], (db: ModuleDb) => new TestGateway(new TestGatewayStore(db))),
    // The only gateway so far is the built-in test one; a real processor would be provided here instead.
    provide(PaymentGatewayPort, [TestGateway], (gateway: TestGateway): PaymentGateway => gateway),
    provide(PaymentService, [PaymentStore, PaymentGatewayPort, Kernel.Config, Kernel.Logger, Kernel.Metrics], (store: PaymentStore, gateway: PaymentGateway, config: Config, logger: Logger, metrics: ModuleMetrics) =>
      new PaymentService(store, gateway, config.paymentRetryBaseMs, logger, metrics)),
  ],
  implementation: PaymentService,
  routes: paymentRoutes,
});
