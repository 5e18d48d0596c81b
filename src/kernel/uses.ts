import type { Container } from 'inversify';
import type { Api, Contract } from './contract.ts';
import type { RouteSpec } from './http/routes.ts';
import { undeclaredUse, type ModuleDefinition } from './module.ts';

/** Finds a module's public interface, local or remote. */
export type Use = <C extends Contract>(contract: C) => Api<C>;

/**
 * Binds in a module's container the interfaces of the modules it declares in `uses`. Every other
 * module's contract token is bound to a refusal that says what to do, rather than left to
 * inversify's "no bindings found": a class that takes an undeclared interface fails when the
 * module starts (its implementation and handlers are built then), naming the module and the contract.
 */
export function bindUses(container: Container, definition: ModuleDefinition, registry: readonly ModuleDefinition[], proxyOf: (contract: Contract) => Api<Contract>): void {
  const module = definition.contract.name;
  const declared = new Set((definition.uses ?? []).map((c) => c.name));
  for (const { contract } of registry) {
    if (declared.has(contract.name)) container.bind(contract.token).toConstantValue(proxyOf(contract));
    else {
      container.bind(contract.token).toDynamicValue(() => {
        throw new Error(undeclaredUse(module, contract.name));
      });
    }
  }
}

/**
 * The `use` a module's routes (and its session check) get: the module's own contract and the
 * contracts it declares. Route handlers are functions the kernel cannot read, so the check runs
 * when a handler asks, on the first request that reaches it; the refusal is an internal error
 * (500, logged with the message), as any wiring mistake is.
 */
export function useFor(definition: ModuleDefinition, use: Use): Use {
  const module = definition.contract.name;
  const allowed = new Set([module, ...(definition.uses ?? []).map((c) => c.name)]);
  return (contract) => {
    if (!allowed.has(contract.name)) throw new Error(undeclaredUse(module, contract.name));
    return use(contract);
  };
}

/** Every module's routes, each with its module's `use`, as the gateway mounts them. */
export function routesOf(modules: readonly ModuleDefinition[], use: Use): Array<RouteSpec & { use: Use }> {
  return modules.flatMap((m) => {
    const moduleUse = useFor(m, use);
    return (m.routes ?? []).map((route) => ({ ...route, tag: m.contract.name, use: moduleUse }));
  });
}
