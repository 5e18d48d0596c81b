import type { ServiceIdentifier } from 'inversify';
import type { EventDef, EventEnvelope, PayloadOf } from '../contract.ts';

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

/** An event handler: one class per file, named after what it does, bound in the module container. */
export interface EventHandler<P = unknown> {
  handle(event: EventEnvelope<P>, ctx: HandlerContext): Promise<void> | void;
}

export interface HandlerRegistration {
  event: EventDef;
  /** Stable name recorded in the inbox; renaming it makes old events look unhandled. */
  name: string;
  handler: ServiceIdentifier<EventHandler<never>>;
}

/** Subscribes a handler class (bound in the module's container) to another module's event. */
export function on<E extends EventDef>(
  event: E,
  handler: ServiceIdentifier<EventHandler<PayloadOf<E>>> & { name: string },
): HandlerRegistration {
  return { event, name: handler.name, handler: handler as ServiceIdentifier<EventHandler<never>> };
}
