import { fileURLToPath } from 'node:url';
import type { Api } from '../../kernel/contract.ts';
import type { Config } from '../../kernel/config.ts';
import { on } from '../../kernel/events/handlers.ts';
import type { Logger } from '../../kernel/logger.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import type { Db, Sqlite } from '../../kernel/persistence/database.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract, type CatalogContract } from '../catalog/contract.ts';
import { orderProcessingContract } from '../order-processing/contract.ts';
import { userContract, type UserContract } from '../user/contract.ts';
import { warehouseContract } from '../warehouse/contract.ts';
import { wishlistContract } from '../wishlist/contract.ts';
import { notificationContract } from './contract.ts';
import { EmailSender } from './internal/email-sender.ts';
import { notificationRoutes } from './internal/http.ts';
import { NoticeWriter } from './internal/notice-writer.ts';
import { NotificationService } from './internal/notification-service.ts';
import { NotificationStore } from './internal/notification-store.ts';
import { NotifyBackInStock } from './internal/on-back-in-stock.ts';
import { AlertAdminsOfLowStock } from './internal/on-low-stock.ts';
import { NotifyOrderProgress } from './internal/on-order-status-changed.ts';
import { FollowEmailPreference } from './internal/on-preferences-changed.ts';
import { NotifyPriceDrop } from './internal/on-price-dropped.ts';
import { RememberRecipient } from './internal/on-user-registered.ts';

export default defineModule({
  contract: notificationContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(NotificationStore).toResolvedValue((db: Db, sqlite: Sqlite) => new NotificationStore(db, sqlite), [Kernel.Db, Kernel.Sqlite]);
    bind(EmailSender).toResolvedValue(
      (store: NotificationStore, config: Config, logger: Logger) => new EmailSender(store, config, logger),
      [NotificationStore, Kernel.Config, Kernel.Logger],
    );
    bind(NoticeWriter).toResolvedValue(
      (store: NotificationStore, users: Api<UserContract>, sender: EmailSender) => new NoticeWriter(store, users, sender),
      [NotificationStore, userContract.token, EmailSender],
    );
    bind(NotificationService).toResolvedValue((store: NotificationStore) => new NotificationService(store), [NotificationStore]);
    const noticeHandlers: Array<new (notices: NoticeWriter) => unknown> = [NotifyOrderProgress, NotifyPriceDrop, NotifyBackInStock];
    for (const Handler of noticeHandlers) provide(bind, Handler, [NoticeWriter]);
    bind(AlertAdminsOfLowStock).toResolvedValue(
      (notices: NoticeWriter, users: Api<UserContract>, catalog: Api<CatalogContract>) => new AlertAdminsOfLowStock(notices, users, catalog),
      [NoticeWriter, userContract.token, catalogContract.token],
    );
    provide(bind, RememberRecipient, [NotificationStore]);
    provide(bind, FollowEmailPreference, [NotificationStore]);
  },
  implementation: NotificationService,
  routes: notificationRoutes,
  handlers: [
    on(orderProcessingContract.events.status_changed, NotifyOrderProgress),
    on(wishlistContract.events.price_dropped, NotifyPriceDrop),
    on(wishlistContract.events.back_in_stock, NotifyBackInStock),
    on(warehouseContract.events.low_stock, AlertAdminsOfLowStock),
    on(userContract.events.registered, RememberRecipient),
    on(userContract.events.preferences_changed, FollowEmailPreference),
  ],
  onStart: (c) => c.get(EmailSender).start(),
  onStop: (c) => c.get(EmailSender).stop(),
});
