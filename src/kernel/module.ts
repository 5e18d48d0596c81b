import type { Container, ServiceIdentifier } from 'inversify';
import type { Contract, Implementation } from './contract.ts';
import type { Subscription } from './events/handlers.ts';
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
  /** Subscriptions to other modules' events: `on(event, 'Name', Class, [tokens])`, or `project(...)` for a projection. */
  handlers?: readonly Subscription[];
  /** Runs once the module and its neighbours are reachable (e.g. create the admin, seed demo data). */
  onStart?: (container: Container) => Promise<void> | void;
  /** Runs at shutdown, after event handlers finished and before the database closes (e.g. stop a background sender). */
  onStop?: (container: Container) => Promise<void> | void;
}

/** Checks the definition as the module is loaded, so a mistake stops the process before it opens anything. */
export function defineModule<C extends Contract>(definition: ModuleDefinition<C>): ModuleDefinition<C> {
  checkSubscriptionNames(definition);
  return definition;
}

/** Names key a module's inbox rows: each must be unique in the module, or two handlers would share one record of what was handled. */
export function checkSubscriptionNames(definition: ModuleDefinition): void {
  const module = definition.contract.name;
  const seen = new Map<string, string>();
  for (const { name, event } of definition.handlers ?? []) {
    if (!name.trim()) throw new Error(`Module ${module} subscribes to ${event.type} without a name: give on(...)/project(...) a stable name`);
    const other = seen.get(name);
    if (other) {
      throw new Error(
        `Module ${module} has two subscriptions named ${name} (to ${other} and to ${event.type}): ` +
          'the inbox records handled events by name, so give each subscription its own',
      );
    }
    seen.set(name, event.type);
  }
}
