import { fileURLToPath } from 'node:url';
import type { Config } from '../../kernel/config.ts';
import type { Outbox } from '../../kernel/events/outbox.ts';
import type { Logger } from '../../kernel/logger.ts';
import { defineModule } from '../../kernel/module.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { paymentContract } from './contract.ts';
import { paymentRoutes } from './internal/http.ts';
import { PaymentGatewayPort, type PaymentGateway } from './internal/payment-gateway.ts';
import { PaymentService } from './internal/payment-service.ts';
import { PaymentStore } from './internal/payment-store.ts';
import { TestGateway } from './internal/test-gateway.ts';
import { TestGatewayStore } from './internal/test-gateway-store.ts';

export default defineModule({
  contract: paymentContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(PaymentStore).toResolvedValue((db: Db) => new PaymentStore(db), [Kernel.Db]);
    bind(TestGateway).toResolvedValue((db: Db) => new TestGateway(new TestGatewayStore(db)), [Kernel.Db]);
    // The only gateway so far is the built-in test one; a real processor would be bound here instead.
    bind<PaymentGateway>(PaymentGatewayPort).toService(TestGateway);
    bind(PaymentService).toResolvedValue(
      (store: PaymentStore, gateway: PaymentGateway, outbox: Outbox, config: Config, logger: Logger) =>
        new PaymentService(store, gateway, outbox, config.paymentRetryBaseMs, logger),
      [PaymentStore, PaymentGatewayPort, Kernel.Outbox, Kernel.Config, Kernel.Logger],
    );
  },
  implementation: PaymentService,
  routes: paymentRoutes,
});
