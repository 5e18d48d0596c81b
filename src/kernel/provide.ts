import type { Container, ServiceIdentifier } from 'inversify';

/**
 * One line of a module's wiring: what to bind in its container, the tokens its maker takes, in
 * order, and the maker. Data rather than calls on inversify, so `index.ts` reads as a list and the
 * kernel can read the list too (it checks that every contract a module injects is one it `uses`).
 */
export interface Provider<T = unknown> {
  readonly id: ServiceIdentifier<T>;
  readonly deps: readonly (ServiceIdentifier | symbol)[];
  readonly make: (...args: never[]) => T;
}

/** A token per constructor argument; classes carry their type, symbols (kernel and contract tokens) do not. */
export type Deps<A extends unknown[]> = { [K in keyof A]: ServiceIdentifier<A[K]> | symbol };

/**
 * `provide(CartService, [CartStore, catalogContract.token])`: the class, built from the given
 * tokens in constructor order (the tuple is checked against the constructor's parameters).
 * `provide(PasswordHasher, [Kernel.Config], (config: Config) => new PasswordHasher(config.scryptCost))`:
 * an identifier and a maker, for a constructor that takes settings rather than services, or a port.
 */
export function provide<T, A extends unknown[]>(cls: new (...args: A) => T, deps: Deps<A>): Provider<T>;
export function provide<T, A extends unknown[]>(id: ServiceIdentifier<T>, deps: Deps<A>, make: (...args: A) => T): Provider<T>;
export function provide(id: ServiceIdentifier, deps: readonly (ServiceIdentifier | symbol)[], make?: (...args: never[]) => unknown): Provider {
  return { id, deps, make: make ?? ((...args: never[]) => new (id as new (...a: never[]) => unknown)(...args)) };
}

/** Binds each provider in `container`; the container's default scope (singleton) applies. */
export function bindAll(container: Container, providers: readonly Provider[]): void {
  for (const { id, deps, make } of providers) {
    container.bind(id).toResolvedValue((...args: unknown[]) => (make as (...a: unknown[]) => unknown)(...args), deps as never);
  }
}
