import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import type { Config } from '../../kernel/config.ts';
import type { Db } from '../../kernel/persistence/database.ts';
import type { Outbox } from '../../kernel/events/outbox.ts';
import type { TokenService } from '../../kernel/http/tokens.ts';
import { userContract } from './contract.ts';
import { createConfiguredAdmin } from './internal/create-admin.ts';
import { userRoutes } from './internal/http.ts';
import { PasswordHasher } from './internal/passwords.ts';
import { UserService } from './internal/user-service.ts';
import { UserStore } from './internal/user-store.ts';

export default defineModule({
  contract: userContract,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  bindings(bind) {
    bind(UserStore).toResolvedValue((db: Db) => new UserStore(db), [Kernel.Db]);
    bind(PasswordHasher).toResolvedValue((config: Config) => new PasswordHasher(config.scryptCost), [Kernel.Config]);
    bind(UserService).toResolvedValue(
      (store: UserStore, passwords: PasswordHasher, tokens: TokenService, outbox: Outbox) => new UserService(store, passwords, tokens, outbox),
      [UserStore, PasswordHasher, Kernel.Tokens, Kernel.Outbox],
    );
  },
  implementation: UserService,
  routes: userRoutes,
  onStart: (c) => createConfiguredAdmin(c.get(Kernel.Config), c.get(UserStore), c.get(UserService), c.get(Kernel.Logger)),
});
