import { fileURLToPath } from 'node:url';
import { on, project } from '../../kernel/events/handlers.ts';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import { catalogContract } from '../catalog/contract.ts';
import { orderProcessingContract } from '../order-processing/contract.ts';
import { userContract } from '../user/contract.ts';
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
import { NotifyPriceDrop } from './internal/on-price-dropped.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: notificationContract,
  uses: [userContract, catalogContract],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(NotificationStore, [Kernel.Db]),
    provide(EmailSender, [NotificationStore, Kernel.Config, Kernel.Logger]),
    provide(NoticeWriter, [NotificationStore, userContract.token, EmailSender, Kernel.Config]),
    provide(NotificationService, [NotificationStore]),
  ],
  implementation: NotificationService,
  routes: notificationRoutes,
  handlers: [
    on(orderProcessingContract.events.status_changed, 'NotifyOrderProgress', NotifyOrderProgress, [NoticeWriter]),
    on(wishlistContract.events.price_dropped, 'NotifyPriceDrop', NotifyPriceDrop, [NoticeWriter]),
    on(wishlistContract.events.back_in_stock, 'NotifyBackInStock', NotifyBackInStock, [NoticeWriter]),
    on(warehouseContract.events.low_stock, 'AlertAdminsOfLowStock', AlertAdminsOfLowStock, [NoticeWriter, userContract.token, catalogContract.token]),
    // A new account gets email notices, as the user module starts every account with them on.
    project(userContract.events.registered, 'RememberRecipient', NotificationStore, (store, { userId, email }, tx) => store.rememberRecipients(tx, [{ userId, email, emailNotifications: true, guest: false }])),
    project(userContract.events.preferences_changed, 'FollowEmailPreference', NotificationStore, (store, { userId, emailNotifications }, tx) => store.setEmailPreference(tx, userId, emailNotifications)),
  ],
  onStart: (c) => c.get(EmailSender).start(),
  onStop: (c) => c.get(EmailSender).stop(),
});
