import type { Container, ServiceIdentifier } from 'inversify';
import type { Contract, Implementation } from './contract.ts';
import type { HandlerRegistration } from './events/handlers.ts';
import type { RouteTable, SessionCheck } from './http/routes.ts';

type Bind = Container['bind'];

/**
 * Everything the composition root needs to host a module. A module's `index.ts` is one
 * `defineModule({...})` call: a table of contents, not logic.
 */
export interface ModuleDefinition<C extends Contract = Contract> {
  contract: C;
  /** Absolute path of the module's drizzle-kit migrations folder. */
  migrations: string;
  /** Binds the module's internals in its own child container. */
  bindings: (bind: Bind) => void;
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

/**
 * Binds a class in a module's container with its constructor fed by the given tokens, in order:
 * `provide(bind, RememberWish, [RecommendationStore])`. The tuple is checked against the
 * constructor's parameters wherever a token carries its type (classes, contract tokens are symbols).
 */
export function provide<T, A extends unknown[]>(
  bind: Bind,
  cls: new (...args: A) => T,
  deps: { [K in keyof A]: ServiceIdentifier<A[K]> | symbol },
): void {
  bind(cls).toResolvedValue((...args: unknown[]) => new cls(...(args as A)), deps as never);
}

export function defineModule<C extends Contract>(definition: ModuleDefinition<C>): ModuleDefinition<C> {
  return definition;
}
