import type { Container, ServiceIdentifier } from 'inversify';
import type { Contract, Implementation } from './contract.ts';
import type { HandlerRegistration } from './events/handlers.ts';
import type { RouteTable, SessionCheck } from './http/routes.ts';
import type { Provider } from './provide.ts';

export { provide } from './provide.ts';

/**
 * Everything the composition root needs to host a module. A module's `index.ts` is one
 * `defineModule({...})` call: a table of contents, not logic.
 */
export interface ModuleDefinition<C extends Contract = Contract> {
  contract: C;
  /** Absolute path of the module's drizzle-kit migrations folder. */
  migrations: string;
  /** The module's internals, one `provide(...)` each, bound in its own child container. */
  bindings: readonly Provider[];
  /** The class (bound in `bindings`) that implements the contract. */
  implementation: ServiceIdentifier<Implementation<C>>;
  /** HTTP routes; they reach the module only through its public interface. */
  routes?: RouteTable;
  /** The module that owns accounts says here whether a signed token still stands (at most one module). */
  sessionCheck?: SessionCheck;
  /** Subscriptions to other modules' events. */
  handlers?: HandlerRegistration[];
  /** Runs once the module and its neighbours are reachable (e.g. create the admin, seed demo data). */
  onStart?: (container: Container) => Promise<void> | void;
  /** Runs at shutdown, after event handlers finished and before the database closes (e.g. stop a background sender). */
  onStop?: (container: Container) => Promise<void> | void;
}

export function defineModule<C extends Contract>(definition: ModuleDefinition<C>): ModuleDefinition<C> {
  return definition;
}
