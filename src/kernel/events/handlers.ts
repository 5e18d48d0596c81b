import type { EventDef, EventEnvelope, PayloadOf } from '../contract.ts';
import type { Tx } from '../persistence/sql.ts';
import { provide, type Deps, type Provider } from '../provide.ts';

export interface HandlerContext {
  /**
   * Runs `write` in one transaction with the inbox record saying this event was handled: pass the
   * `tx` to the store methods it calls, and publish with `tx.publish`. If the event was already
   * handled elsewhere, nothing is written. Call it once, after any calls to other modules (only
   * database work may be awaited inside); a handler that changes nothing need not call it.
   */
  commit<T>(write: (tx: Tx) => Promise<T> | T): Promise<T>;
  /**
   * Runs `write` in one transaction without saying the event was handled: for what a handler
   * records before calling other modules (the order saga's start), which must stay recorded if a
   * later step fails and the event runs again, so it must be idempotent. Called before the
   * handler's first await, it joins the transaction that stores the event (one commit for both);
   * later, it opens one of its own. The event is marked handled when the handler returns.
   */
  write<T>(write: (tx: Tx) => Promise<T> | T): Promise<T>;
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
 * 'RepriceIndexedProduct', SearchStore, (store, p, tx, event) => store.reprice(tx, p.productId, p.newPrice, event.occurredAt))`.
 * A handler that decides, awaits or publishes is a class (`on`).
 */
export function project<E extends EventDef, S>(
  event: E,
  name: string,
  target: new (...args: never[]) => S,
  write: (target: S, payload: PayloadOf<E>, tx: Tx, event: EventEnvelope<PayloadOf<E>>) => Promise<unknown>,
): Subscription {
  return { event, name, handler: handlerProvider(name, [target], (t: S) => new Projection(name, t, write)) };
}

/** The handler of a `project(...)` subscription. */
export class Projection<S, P> implements EventHandler<P> {
  constructor(
    /** The subscription's name (tests hold one projection by it). */
    readonly name: string,
    private readonly target: S,
    private readonly write: (target: S, payload: P, tx: Tx, event: EventEnvelope<P>) => Promise<unknown>,
  ) {}

  async handle(event: EventEnvelope<P>, ctx: HandlerContext): Promise<void> {
    await ctx.commit((tx) => this.write(this.target, event.payload, tx, event));
  }
}

/**
 * The handler is bound under a token of its own, so a class may also be provided in `bindings`
 * (or subscribed twice under two names) without two bindings of one identifier.
 */
function handlerProvider(name: string, deps: Provider['deps'], make: (...args: never[]) => EventHandler<never>): Provider<EventHandler<never>> {
  return { id: Symbol(`handler ${name}`), deps, make };
}
