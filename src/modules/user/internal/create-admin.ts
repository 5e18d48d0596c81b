import type { Config } from '../../../kernel/config.ts';
import type { Logger } from '../../../kernel/logger.ts';
import type { UserService } from './user-service.ts';
import type { UserStore } from './user-store.ts';

/** Creates the admin named by ADMIN_EMAIL/ADMIN_PASSWORD on first start (never overwrites one). */
export async function createConfiguredAdmin(config: Config, store: UserStore, service: UserService, logger: Logger): Promise<void> {
  if (!config.admin) return;
  const existing = await store.findByEmail(config.admin.email);
  if (existing) {
    if (existing.role !== 'admin') logger.warn({ email: config.admin.email }, 'ADMIN_EMAIL belongs to a customer account; it was not promoted');
    return;
  }
  try {
    await service.createUser(config.admin.email, config.admin.password, 'Administrator', 'admin');
    logger.info({ email: config.admin.email }, 'admin account created');
  } catch (err) {
    // Another replica may have created it at the same moment.
    if (!(await store.findByEmail(config.admin.email))) throw err;
  }
}
