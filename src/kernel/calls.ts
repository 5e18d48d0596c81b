import type { Api, CallDef, Contract, Implementation } from './contract.ts';
import { AppError, toAppError } from './errors.ts';
import { deepFreeze, notPlainJson, nulCharacter, parseOrThrow } from './validation.ts';
import type { Logger } from './logger.ts';
import { callSpan } from './tracing/spans.ts';

/**
 * The call boundary. Every call to a module, in-process or remote, goes through `invokeChecked`:
 * the input is validated against the contract, the output too, both must be plain JSON data, and
 * any error is reduced to what the wire carries (kind, message, field errors). So a call that
 * would break over the network also breaks in the monolith.
 * `checkedAnswers` (per method) skips re-checking a frozen answer handed out before, such as a read
 * cache's: the caller gets the frozen checked copy, identical to what the first check produced.
 */
export async function invokeChecked(
  moduleName: string,
  method: string,
  def: CallDef,
  impl: (input: unknown) => unknown,
  input: unknown,
  logger: Logger,
  checkedAnswers?: WeakMap<object, unknown>,
): Promise<unknown> {
  // The message names no call: it may reach an HTTP client; the field errors say what is wrong.
  const parsed = parseOrThrow(def.input, input, 'input');
  const badInput = notPlainJson(parsed);
  if (badInput) throw new AppError('validation', 'Invalid input: not plain JSON data', [badInput]);
  const nul = nulCharacter(parsed);
  if (nul) throw new AppError('validation', 'Invalid input', [nul]);
  let output: unknown;
  try {
    output = await impl(parsed);
  } catch (err) {
    // The cause is logged here, where it is still known; callers (and HTTP clients) get a bare `internal`.
    if (!(err instanceof AppError) || err.kind === 'internal') logger.error({ err, module: moduleName, method }, 'call failed with an unexpected error');
    // A fresh AppError, as the wire would rebuild it: no subclass, extra fields or callee stack reach the caller.
    throw AppError.fromWire(toAppError(err).toWire());
  }
  // A frozen answer (a read cache's) that passed once passes again: hand out the same checked copy.
  const shared = checkedAnswers !== undefined && typeof output === 'object' && output !== null && Object.isFrozen(output);
  if (shared) {
    const known = checkedAnswers.get(output as object);
    if (known !== undefined) return known;
  }
  const result = def.output.safeParse(output);
  if (!result.success) {
    logger.error({ module: moduleName, method, issues: result.error.issues }, 'module returned output that breaks its contract');
    throw new AppError('internal', `${moduleName}.${method} returned invalid output`);
  }
  const badOutput = notPlainJson(result.data);
  if (badOutput) {
    logger.error({ module: moduleName, method, problem: badOutput }, 'module returned output that is not plain JSON data');
    throw new AppError('internal', `${moduleName}.${method} returned invalid output`);
  }
  if (shared) checkedAnswers.set(output as object, deepFreeze(result.data));
  return result.data;
}

/** Told how each call went: its latency and outcome (`ok` or the error's kind). */
export type CallObserver = (module: string, method: string, seconds: number, outcome: string) => void;

/** Runs a call and tells `observe` how long it took and how it ended. */
function observed(observe: CallObserver | undefined, module: string, method: string, call: () => Promise<unknown>): Promise<unknown> {
  if (!observe) return call();
  const started = performance.now();
  // One reaction, not an async function's own promise and await: every call in the shop passes here.
  return call().then(
    (output) => {
      observe(module, method, (performance.now() - started) / 1000, 'ok');
      return output;
    },
    (err: unknown) => {
      observe(module, method, (performance.now() - started) / 1000, err instanceof AppError ? err.kind : 'internal');
      throw err;
    },
  );
}

/** A caller's proxy to a module hosted in this process; `observe` hears every call it answers. */
export function localProxy<C extends Contract>(contract: C, impl: Implementation<C>, logger: Logger, observe?: CallObserver): Api<C> {
  const proxy: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [method, def] of Object.entries(contract.methods)) {
    const fn = (impl as Record<string, (input: unknown) => unknown>)[method];
    if (typeof fn !== 'function') throw new Error(`Module ${contract.name} does not implement ${method}() of its contract`);
    const bound = fn.bind(impl);
    const checkedAnswers = new WeakMap<object, unknown>();
    proxy[method] = (input) =>
      callSpan('callee', contract.name, method, () => observed(observe, contract.name, method, () => invokeChecked(contract.name, method, def, bound, input, logger, checkedAnswers)));
  }
  return Object.freeze(proxy) as Api<C>;
}

/** Remote call port: implemented by the NATS transport. */
export interface RemoteCaller {
  call(moduleName: string, method: string, input: unknown): Promise<unknown>;
}

/** A caller's proxy to a module hosted elsewhere; output is still checked against the contract. `observe` hears every call sent. */
export function remoteProxy<C extends Contract>(contract: C, caller: RemoteCaller, observe?: CallObserver): Api<C> {
  const proxy: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [method, def] of Object.entries(contract.methods)) {
    proxy[method] = (input) =>
      callSpan('caller', contract.name, method, () =>
        observed(observe, contract.name, method, async () => {
          const parsed = parseOrThrow(def.input, input, 'input');
          const output = await caller.call(contract.name, method, parsed);
          return def.output.parse(output);
        }),
      );
  }
  return Object.freeze(proxy) as Api<C>;
}
