import { fileURLToPath } from 'node:url';
import { defineModule, provide } from '../../kernel/module.ts';
import { Kernel } from '../../kernel/tokens.ts';
import type { Config } from '../../kernel/config.ts';
import type { ModuleDb } from '../../kernel/persistence/sql.ts';
import { userContract } from './contract.ts';
import { createConfiguredAdmin } from './internal/create-admin.ts';
import { userRoutes } from './internal/http.ts';
import { PasswordHasher } from './internal/passwords.ts';
import { SignInThrottle } from './internal/sign-in-throttle.ts';
import { ThrottleStore } from './internal/throttle-store.ts';
import { UserService } from './internal/user-service.ts';
import { UserStore } from './internal/user-store.ts';
import { schemas } from './internal/tables.ts';

export default defineModule({
  contract: userContract,
  uses: [],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  tables: schemas,
  bindings: [
    provide(UserStore, [Kernel.Db]),
    provide(SignInThrottle, [Kernel.Db], (db: ModuleDb) => new SignInThrottle(new ThrottleStore(db))),
    provide(PasswordHasher, [Kernel.Config], (config: Config) => new PasswordHasher(config.scryptCost)),
    provide(UserService, [UserStore, PasswordHasher, Kernel.Tokens, SignInThrottle]),
  ],
  implementation: UserService,
  routes: userRoutes,
  // Tokens signed before versions existed carry none: version 0, which every user starts at.
  sessionCheck: (claims, use) => use(userContract).checkSession({ userId: claims.id, tokenVersion: claims.version ?? 0 }),
  onStart: (c) => createConfiguredAdmin(c.get(Kernel.Config), c.get(UserStore), c.get(UserService), c.get(Kernel.Logger)),
});
