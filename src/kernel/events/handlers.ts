import type { EventDef, EventEnvelope, PayloadOf } from '../contract.ts';
import { provide, type Deps, type Provider } from '../provide.ts';

export interface HandlerContext {
  /**
   * Runs `write` (synchronous SQLite work) in one transaction with the inbox record saying this
   * event was handled. If the event was already handled elsewhere, nothing is written.
   * Call it once, after any awaits; a handler that changes nothing need not call it.
   */
  commit<T>(write: () => T): T;
  /** 1 on first delivery, 2 on the first retry, ... */
  attempt: number;
}

/** An event handler: one class per file, named after what it does. */
export interface EventHandler<P = unknown> {
  handle(event: EventEnvelope<P>, ctx: HandlerContext): Promise<void> | void;
}

/** A module's subscription to another module's event, as `defineModule({ handlers })` lists it. */
export interface Subscription {
  event: EventDef;
  /**
   * The subscription's name, unique in its module. The inbox remembers handled events by
   * (event id, name), so it is part of the subscription's contract with stored data: a new name
   * makes every event already handled look new. It never follows a class name.
   */
  name: string;
  /** Builds the handler in the module's container (the kernel binds it under its own token). */
  handler: Provider<EventHandler<never>>;
}

/**
 * Subscribes a handler class to an event under a stable name:
 * `on(orderTakingContract.events.placed, 'RunPlacedOrder', RunPlacedOrder, [OrderTransitions, OrderSaga])`.
 * The tokens feed the constructor, in order, as in `provide`.
 */
export function on<E extends EventDef, A extends unknown[]>(
  event: E,
  name: string,
  handler: new (...args: A) => EventHandler<PayloadOf<E>>,
  deps: Deps<A>,
): Subscription {
  const { deps: tokens, make } = provide(handler, deps);
  return { event, name, handler: handlerProvider(name, tokens, make) };
}

/**
 * A projection: writes what an event says into the module's own tables, in the inbox's
 * transaction, and nothing else. `project(catalogContract.events.price_changed,
 * 'RepriceIndexedProduct', SearchStore, (store, p, event) => store.reprice(p.productId, p.newPrice, event.occurredAt))`.
 * A handler that decides, awaits or publishes is a class (`on`).
 */
export function project<E extends EventDef, S>(
  event: E,
  name: string,
  target: new (...args: never[]) => S,
  write: (target: S, payload: PayloadOf<E>, event: EventEnvelope<PayloadOf<E>>) => unknown,
): Subscription {
  return { event, name, handler: handlerProvider(name, [target], (t: S) => new Projection(name, t, write)) };
}

/** The handler of a `project(...)` subscription. */
export class Projection<S, P> implements EventHandler<P> {
  constructor(
    /** The subscription's name (tests hold one projection by it). */
    readonly name: string,
    private readonly target: S,
    private readonly write: (target: S, payload: P, event: EventEnvelope<P>) => unknown,
  ) {}

  handle(event: EventEnvelope<P>, ctx: HandlerContext): void {
    ctx.commit(() => this.write(this.target, event.payload, event));
  }
}

/**
 * The handler is bound under a token of its own, so a class may also be provided in `bindings`
 * (or subscribed twice under two names) without two bindings of one identifier.
 */
function handlerProvider(name: string, deps: Provider['deps'], make: (...args: never[]) => EventHandler<never>): Provider<EventHandler<never>> {
  return { id: Symbol(`handler ${name}`), deps, make };
}
