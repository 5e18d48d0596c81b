import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Api, Implementation } from '../../src/kernel/contract.ts';
import { call, defineContract } from '../../src/kernel/contract.ts';
import { Outbox } from '../../src/kernel/events/outbox.ts';
import { TokenService } from '../../src/kernel/http/tokens.ts';
import { defineModule } from '../../src/kernel/module.ts';
import type { Sqlite } from '../../src/kernel/persistence/database.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { Kernel } from '../../src/kernel/tokens.ts';
import { RECORDS_MIGRATIONS, recordsOf, startRuntime, stopAllRuntimes } from '../support/runtime.ts';

/**
 * Each module gets its own inversify child container: its classes, the kernel's tokens, and other
 * modules' public interfaces (by contract token) — never another module's internals.
 */
const ledgerContract = defineContract(
  'ledger',
  { record: call({ input: z.strictObject({ id: z.string(), value: z.string() }), output: z.object({ count: z.number().int() }) }) },
  {},
);

/** Internal to the ledger module. */
class LedgerStore {
  constructor(private readonly sqlite: Sqlite) {}

  add(id: string, value: string): number {
    this.sqlite.prepare('INSERT INTO records (id, value) VALUES (?, ?)').run(id, value);
    return this.sqlite.prepare('SELECT count(*) FROM records').pluck().get() as number;
  }
}

class LedgerService implements Implementation<typeof ledgerContract> {
  constructor(private readonly store: LedgerStore) {}

  record({ id, value }: { id: string; value: string }) {
    return { count: this.store.add(id, value) };
  }
}

const ledgerModule = defineModule({
  contract: ledgerContract,
  migrations: RECORDS_MIGRATIONS,
  bindings(bind) {
    bind(LedgerStore).toResolvedValue((sqlite: Sqlite) => new LedgerStore(sqlite), [Kernel.Sqlite]);
    bind(LedgerService).toResolvedValue((store: LedgerStore) => new LedgerService(store), [LedgerStore]);
  },
  implementation: LedgerService,
});

const tillContract = defineContract(
  'till',
  { sell: call({ input: z.strictObject({ id: z.string() }), output: z.object({ sales: z.number().int() }) }) },
  {},
);

/** Internal to the till module; it reaches the ledger only through the ledger's interface. */
class TillService implements Implementation<typeof tillContract> {
  constructor(private readonly ledger: Api<typeof ledgerContract>) {}

  async sell({ id }: { id: string }) {
    const { count } = await this.ledger.record({ id, value: 'sale' });
    return { sales: count };
  }
}

const tillModule = defineModule({
  contract: tillContract,
  migrations: RECORDS_MIGRATIONS,
  bindings(bind) {
    // Resolved while the till is hosted — before the ledger, which comes later in the registry.
    bind(TillService).toResolvedValue((ledger: Api<typeof ledgerContract>) => new TillService(ledger), [ledgerContract.token]);
  },
  implementation: TillService,
});

let runtime: Runtime;

beforeAll(async () => {
  // The till is registered (and hosted) first although it depends on the ledger.
  ({ runtime } = await startRuntime([tillModule, ledgerModule]));
});
afterAll(stopAllRuntimes);

describe("DI: a module's own container", () => {
  it('resolves its own classes', () => {
    expect(runtime.containerOf('ledger').get(LedgerStore)).toBeInstanceOf(LedgerStore);
    expect(runtime.containerOf('till').get(TillService)).toBeInstanceOf(TillService);
  });

  it("resolves the kernel's tokens: its own database, outbox and logger, the config and the token service", () => {
    const c = runtime.containerOf('ledger');
    expect(basename(c.get<Sqlite>(Kernel.Sqlite).name)).toBe('ledger.db');
    expect(basename(runtime.containerOf('till').get<Sqlite>(Kernel.Sqlite).name)).toBe('till.db');
    expect(c.get(Kernel.Db)).toBeDefined();
    expect(c.get(Kernel.Outbox)).toBeInstanceOf(Outbox);
    expect(c.get(Kernel.Logger)).toHaveProperty('info');
    expect(c.get(Kernel.Config)).toHaveProperty('dataDir');
    expect(c.get(Kernel.Tokens)).toBeInstanceOf(TokenService);
  });

  it("resolves another module's public interface by its contract token, whatever the registry order, and calls through it", async () => {
    const ledger = runtime.containerOf('till').get<Api<typeof ledgerContract>>(ledgerContract.token);
    expect(Object.keys(ledger)).toEqual(['record']);
    await expect(runtime.use(tillContract).sell({ id: 'sale-1' })).resolves.toEqual({ sales: 1 });
    expect(recordsOf(runtime, 'ledger')).toEqual([{ id: 'sale-1', value: 'sale' }]);
  });

  it('checks calls made through an injected interface against the contract', async () => {
    const ledger = runtime.containerOf('till').get<Api<typeof ledgerContract>>(ledgerContract.token);
    await expect(ledger.record({ id: 'x' } as never)).rejects.toMatchObject({ kind: 'validation' });
  });

  it("cannot resolve another module's internal classes", () => {
    expect(() => runtime.containerOf('till').get(LedgerStore)).toThrow();
    expect(() => runtime.containerOf('till').get(LedgerService)).toThrow();
    expect(() => runtime.containerOf('ledger').get(TillService)).toThrow();
  });

  it("keeps every module's internals and database out of the shared root container", () => {
    expect(() => runtime.root.get(LedgerStore)).toThrow();
    expect(() => runtime.root.get(Kernel.Db)).toThrow();
    expect(() => runtime.root.get(Kernel.Outbox)).toThrow();
  });
});
