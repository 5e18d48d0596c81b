import { z } from 'zod';

/**
 * A module's public face: the calls it answers and the events it publishes, each with zod schemas.
 * `contract.ts` files build on these helpers and on zod only, so any module may import any
 * contract without dragging implementation along.
 */
export interface CallDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'call';
  readonly input: I;
  readonly output: O;
}

export interface EventDef<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  /** Full event name, `<prefix>.<past_tense>`, e.g. `order.placed`. */
  readonly type: string;
  readonly version: number;
  readonly payload: P;
}

type UnnamedEvent<P extends z.ZodType> = Omit<EventDef<P>, 'type'>;

export type Methods = Record<string, CallDef>;
export type Events = Record<string, EventDef>;

export interface Contract<M extends Methods = Methods, E extends Events = Events> {
  readonly name: string;
  readonly methods: M;
  readonly events: E;
  /** DI token under which the kernel binds this module's proxy in the container of each module that `uses` it. */
  readonly token: symbol;
}

/** A call: input and output schemas. Both are checked on every call, local or remote. */
export function call<I extends z.ZodType, O extends z.ZodType>(def: { input: I; output: O }): CallDef<I, O> {
  return { kind: 'call', input: def.input, output: def.output };
}

/** An event payload schema with its schema version. */
export function event<P extends z.ZodType>(version: number, payload: P): UnnamedEvent<P> {
  return { kind: 'event', version, payload };
}

export function defineContract<M extends Methods, E extends Record<string, UnnamedEvent<z.ZodType>>>(
  name: string,
  methods: M,
  events: E,
  options: { eventPrefix?: string } = {},
): Contract<M, { [K in keyof E]: EventDef<E[K]['payload']> }> {
  const prefix = options.eventPrefix ?? name;
  const named = Object.fromEntries(
    Object.entries(events).map(([key, def]) => [key, { ...def, type: `${prefix}.${key}` }]),
  ) as { [K in keyof E]: EventDef<E[K]['payload']> };
  return { name, methods, events: named, token: Symbol.for(`cleave.contract.${name}`) };
}

/** What a caller sees: every method takes the input and resolves to the output. */
export type Api<C extends Contract> = {
  [K in keyof C['methods']]: (input: z.input<C['methods'][K]['input']>) => Promise<z.output<C['methods'][K]['output']>>;
};

/** What a module must implement for its contract. */
export type Implementation<C extends Contract> = {
  [K in keyof C['methods']]: (
    input: z.output<C['methods'][K]['input']>,
  ) => Promise<z.input<C['methods'][K]['output']>> | z.input<C['methods'][K]['output']>;
};

export type PayloadOf<E extends EventDef> = z.output<E['payload']>;

/** The envelope every event travels in, whatever the transport. */
export interface EventEnvelope<P = unknown> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  /** Events with the same key are handled in order by each consumer (e.g. an order id). */
  key?: string;
  /** The W3C `traceparent` of the span that published it (stored in kernel_outbox.trace_id); absent when tracing is off. */
  traceId?: string;
  payload: P;
}

/** Shared building blocks for contracts: keep them strict (no coercion) and JSON-only. */
export const Id = z.string().min(1).max(100);
/** The most one amount of money may be, in cents (the spec's "limits": every line, cart, quote and order). */
export const MAX_AMOUNT = 1_000_000_000;
export const Cents = z.number().int().min(0).max(MAX_AMOUNT);
/**
 * Whether an amount made from other amounts (a line total, a subtotal, a shipping cost) still fits
 * `Cents`: check it where the sum is made, and refuse the request there, before it is stored or sent.
 */
export function withinMoneyLimit(cents: number): boolean {
  return Number.isSafeInteger(cents) && cents >= 0 && cents <= MAX_AMOUNT;
}
/** How a refusal names the money bound, in the same words wherever it is hit. */
export const MONEY_LIMIT = `the money limit of ${MAX_AMOUNT.toLocaleString('en-US')} cents`;
export const Timestamp = z.string().describe('ISO-8601 timestamp');
/** The most items one page of a list holds (api.md: every list takes `limit`, default 20, max 100). */
export const MAX_PAGE_SIZE = 100;
/** `limit` and `offset` of a list call, to spread into its input: `z.strictObject({ userId: Id, ...Paging })`. */
export const Paging = { limit: z.number().int().min(1).max(MAX_PAGE_SIZE), offset: z.number().int().min(0) };
/** What a signed-in user may be: the HTTP edge reads it from the token. */
export const Role = z.enum(['customer', 'admin']);
export type Role = z.infer<typeof Role>;
/** Who is asking, for a call that answers owners and admins alike (others: not found). */
export const Viewer = z.strictObject({ userId: Id, role: Role });
export type Viewer = z.infer<typeof Viewer>;
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int().min(0) });
