import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, defineContract, type Implementation } from '../../src/kernel/contract.ts';
import { AppError, conflict, forbidden, notFound, unavailable } from '../../src/kernel/errors.ts';
import { defineModule, provide } from '../../src/kernel/module.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { RECORDS_MIGRATIONS, startRuntime, stopAllRuntimes } from '../support/runtime.ts';

/**
 * The call boundary in the monolith behaves like the wire: inputs and outputs are checked against
 * the contract and must be plain JSON data, and only typed errors (kind + message) cross.
 */
class Money {
  constructor(readonly cents: number) {}
}

class OutOfStock extends AppError {
  readonly sku = 'SKU-1';
  constructor() {
    super('conflict', 'Out of stock');
  }
}

let outputChecks = 0;
const FROZEN_ANSWER = Object.freeze({ name: 'shared' });
const FROZEN_BAD_ANSWER = Object.freeze({ name: 42 as unknown as string });

const SECRET = 'db password is hunter2 at /var/lib/secret.db';

const calcContract = defineContract(
  'calc',
  {
    add: call({ input: z.strictObject({ a: z.number().int(), b: z.number().int() }), output: z.object({ sum: z.number().int() }) }),
    /** Says a timestamp is a string, but the implementation returns a Date. */
    stampedAt: call({ input: z.strictObject({}), output: z.object({ at: z.string() }) }),
    /** A loose output: extra fields pass the schema, so only the JSON check stands between them and the wire. */
    describe: call({ input: z.strictObject({ extra: z.enum(['money', 'map', 'nan', 'plain']) }), output: z.looseObject({ id: z.string() }) }),
    /** Takes anything as `value` and gives it back. */
    echo: call({ input: z.strictObject({ value: z.unknown() }), output: z.object({ value: z.unknown() }) }),
    /** Answers a frozen shared object (as a read cache does), or a fresh one; `bad` breaks the contract. */
    shared: call({
      input: z.strictObject({ answer: z.enum(['frozen', 'fresh', 'bad']) }),
      output: z.object({ name: z.string().refine(() => ++outputChecks > 0) }),
    }),
    fail: call({ input: z.strictObject({ how: z.enum(['crash', 'not_found', 'conflict', 'forbidden', 'unavailable', 'subclass']) }), output: z.object({}) }),
  },
  {},
);

class Calculator implements Implementation<typeof calcContract> {
  add({ a, b }: { a: number; b: number }) {
    return { sum: a + b };
  }

  stampedAt() {
    return { at: new Date() as unknown as string };
  }

  describe({ extra }: { extra: 'money' | 'map' | 'nan' | 'plain' }) {
    const value = { money: new Money(5), map: new Map([['a', 1]]), nan: Number.NaN, plain: { cents: 5 } }[extra];
    return { id: 'x', extra: value };
  }

  echo({ value }: { value?: unknown }) {
    return { value };
  }

  shared({ answer }: { answer: 'frozen' | 'fresh' | 'bad' }) {
    return { frozen: FROZEN_ANSWER, fresh: { name: 'fresh' }, bad: FROZEN_BAD_ANSWER }[answer];
  }

  fail({ how }: { how: string }): never {
    if (how === 'not_found') throw notFound('Widget');
    if (how === 'conflict') throw conflict('Widget already exists');
    if (how === 'forbidden') throw forbidden('Widgets are private');
    if (how === 'unavailable') throw unavailable('Widget supplier is down');
    if (how === 'subclass') throw new OutOfStock();
    throw new Error(SECRET);
  }
}

const calcModule = defineModule({
  contract: calcContract,
  migrations: RECORDS_MIGRATIONS,
  bindings: [provide(Calculator, [])],
  implementation: Calculator,
});

let runtime: Runtime;
const calc = () => runtime.use(calcContract);

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have failed').toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  ({ runtime } = await startRuntime([calcModule]));
});
afterAll(stopAllRuntimes);

describe('contracts: inputs are checked on in-process calls', () => {
  it('answers a call whose input and output keep the contract', async () => {
    await expect(calc().add({ a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
  });

  it('rejects input that breaks the contract with a validation error naming the field', async () => {
    const err = await rejection(calc().add({ a: 2, b: '3' as unknown as number }));
    expect(err.kind).toBe('validation');
    expect(err.errors?.map((e) => e.path)).toEqual(['b']);
  });

  it('rejects an unknown input field instead of ignoring it', async () => {
    const err = await rejection(calc().add({ a: 1, b: 2, c: 3 } as never));
    expect(err.kind).toBe('validation');
    expect(JSON.stringify(err.errors)).toContain('c');
  });

  it('rejects input that is not plain JSON data (a class instance) even where the schema takes anything', async () => {
    const err = await rejection(calc().echo({ value: new Money(5) }));
    expect(err.kind).toBe('validation');
    expect(err.errors?.[0]?.path).toBe('value');
  });

  it('rejects a NUL character anywhere in the input, naming the field where it sits', async () => {
    const err = await rejection(calc().echo({ value: { list: ['fine', { note: 'a\u0000b' }] } }));
    expect(err.kind).toBe('validation');
    expect(err.errors).toEqual([{ path: 'value.list.1.note', message: expect.stringMatching(/NUL/) }]);
  });

  it('passes plain JSON input through unchanged', async () => {
    const value = { nested: [1, 'two', null, { deep: true }] };
    await expect(calc().echo({ value })).resolves.toEqual({ value });
  });
});

describe('contracts: outputs are checked, so what would break over the wire breaks here too', () => {
  it('rejects an implementation returning a Date where the contract says string, as an internal error', async () => {
    const err = await rejection(calc().stampedAt({}));
    expect(err.kind).toBe('internal');
    expect(err.message).toContain('calc.stampedAt');
  });

  it.each(['money', 'map', 'nan'] as const)('rejects an output carrying an extra %s that JSON would mangle, as an internal error', async (extra) => {
    const err = await rejection(calc().describe({ extra }));
    expect(err.kind).toBe('internal');
  });

  it('lets an extra plain field through a loose output schema', async () => {
    await expect(calc().describe({ extra: 'plain' })).resolves.toEqual({ id: 'x', extra: { cents: 5 } });
  });
});

describe('contracts: a frozen answer (a read cache hit) is checked once', () => {
  it('checks a frozen answer on its first call only, then hands out the same frozen checked copy', async () => {
    outputChecks = 0;
    const first = await calc().shared({ answer: 'frozen' });
    const second = await calc().shared({ answer: 'frozen' });
    expect(outputChecks).toBe(1);
    expect(second).toBe(first);
    expect(first).toEqual({ name: 'shared' });
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('checks an answer that is not frozen on every call and gives each caller its own copy', async () => {
    outputChecks = 0;
    const [a, b] = [await calc().shared({ answer: 'fresh' }), await calc().shared({ answer: 'fresh' })];
    expect(outputChecks).toBe(2);
    expect(a).not.toBe(b);
  });

  it('rejects a frozen answer that breaks the contract on every call, never remembering it', async () => {
    for (let i = 0; i < 2; i++) expect((await rejection(calc().shared({ answer: 'bad' }))).kind).toBe('internal');
  });
});

describe('contracts: errors cross the boundary as typed data, never as stack traces', () => {
  it('turns an unknown thrown error into an opaque internal error without its message or stack', async () => {
    const err = await rejection(calc().fail({ how: 'crash' }));
    expect(err.kind).toBe('internal');
    expect(err.status).toBe(500);
    expect(err.message).not.toContain('hunter2');
    expect(err.stack ?? '').not.toContain('hunter2');
    expect(err.cause).toBeUndefined();
    expect(JSON.stringify(err.toWire())).not.toContain('hunter2');
  });

  it.each([
    ['not_found', 404, 'Widget was not found'],
    ['conflict', 409, 'Widget already exists'],
    ['forbidden', 403, 'Widgets are private'],
    ['unavailable', 503, 'Widget supplier is down'],
  ] as const)('carries a %s error across with its kind, status and message', async (how, status, message) => {
    const err = await rejection(calc().fail({ how }));
    expect(err).toMatchObject({ kind: how, status, message });
  });

  it('carries only kind, message and field errors: a module-specific subclass and its extra fields stay behind', async () => {
    const err = await rejection(calc().fail({ how: 'subclass' }));
    expect(err).toMatchObject({ kind: 'conflict', message: 'Out of stock' });
    expect(err).not.toBeInstanceOf(OutOfStock);
    expect(err).not.toHaveProperty('sku');
    expect(AppError.fromWire(err.toWire())).toEqual(err);
  });
});
