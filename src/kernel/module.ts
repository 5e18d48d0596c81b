import type { Container, ServiceIdentifier } from 'inversify';
import type { Contract, Implementation } from './contract.ts';
import type { Subscription } from './events/handlers.ts';
import type { RouteTable, SessionCheck } from './http/routes.ts';
import type { TableDeclarations } from './persistence/table-pairs.ts';
import type { Provider } from './provide.ts';

export { provide } from './provide.ts';

/**
 * Everything the composition root needs to host a module. A module's `index.ts` is one
 * `defineModule({...})` call: a table of contents, not logic.
 */
export interface ModuleDefinition<C extends Contract = Contract> {
  contract: C;
  /**
   * Other modules' contracts this module calls (Spring Modulith's `allowedDependencies`). The
   * kernel binds these, and no other, in the module's container, and its routes may `use` them
   * besides its own. Calls point one way: a module that hears from another does so by events.
   */
  uses?: readonly Contract[];
  /** Absolute path of the module's drizzle-kit migrations folder. */
  migrations: string;
  /**
   * The module's drizzle tables for each engine (`schemas` from its internal/tables.ts): what
   * `npm run db:move` copies from SQLite to PostgreSQL. A module without it cannot be moved.
   */
  tables?: TableDeclarations;
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
  checkDefinition(definition);
  return definition;
}

/** The checks of `defineModule`; the runtime repeats them at start for definitions built by hand. */
export function checkDefinition(definition: ModuleDefinition): void {
  checkSubscriptionNames(definition);
  checkUses(definition);
}

/** What a module is told when it reaches for a contract it has not declared. */
export function undeclaredUse(module: string, contract: string): string {
  if (module === contract) return `Module ${module} asked for its own contract: inject its own classes instead`;
  return `Module ${module} uses ${contract} without declaring it: add ${contract}'s contract to \`uses\` in ${module}'s defineModule({...})`;
}

/** The module a DI token is the public interface of (defineContract makes them `Symbol.for('cleave.contract.<name>')`). */
export function contractNameOfToken(token: unknown): string | undefined {
  const key = typeof token === 'symbol' ? Symbol.keyFor(token) : undefined;
  return key?.startsWith('cleave.contract.') ? key.slice('cleave.contract.'.length) : undefined;
}

/** Names key a module's inbox rows: each must be unique in the module, or two handlers would share one record of what was handled. */
function checkSubscriptionNames(definition: ModuleDefinition): void {
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

/** Every contract a module injects is one it declares; the container would refuse it anyway, but later and less plainly. */
function checkUses(definition: ModuleDefinition): void {
  const module = definition.contract.name;
  const declared = new Set<string>();
  for (const used of definition.uses ?? []) {
    if (used.name === module) throw new Error(`Module ${module} lists its own contract in \`uses\`: a module calls its own classes directly`);
    if (declared.has(used.name)) throw new Error(`Module ${module} lists ${used.name} twice in \`uses\``);
    declared.add(used.name);
  }
  const providers = [...definition.bindings, ...(definition.handlers ?? []).map((h) => h.handler)];
  for (const { id, deps } of providers) {
    for (const dep of deps) {
      const used = contractNameOfToken(dep);
      if (used !== undefined && !declared.has(used)) throw new Error(`${undeclaredUse(module, used)} (${nameOf(id)} takes it)`);
    }
  }
}

function nameOf(id: ServiceIdentifier): string {
  return typeof id === 'function' ? id.name : String(id);
}
