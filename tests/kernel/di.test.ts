import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Api, Implementation } from '../../src/kernel/contract.ts';
import { call, defineContract } from '../../src/kernel/contract.ts';
import { TokenService } from '../../src/kernel/http/tokens.ts';
import request from 'supertest';
import { defineRoutes } from '../../src/kernel/http/routes.ts';
import { defineModule, provide, type ModuleDefinition } from '../../src/kernel/module.ts';
import { sql } from 'drizzle-orm';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { useFor } from '../../src/kernel/uses.ts';
import { Kernel } from '../../src/kernel/tokens.ts';
import { RECORDS_MIGRATIONS, recordsOf, startRuntime, stopAllRuntimes } from '../support/runtime.ts';

/**
 * Each module gets its own inversify child container: its classes, the kernel's tokens, and the
 * public interfaces (by contract token) of the modules it declares in `uses` — never another
 * module's internals, nor an interface it did not declare.
 */
const ledgerContract = defineContract(
  'ledger',
  { record: call({ input: z.strictObject({ id: z.string(), value: z.string() }), output: z.object({ count: z.number().int() }) }) },
  {},
);

/** Internal to the ledger module. */
class LedgerStore {
  constructor(private readonly db: ModuleDb) {}

  add(id: string, value: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.changed(sql`INSERT INTO records (id, value) VALUES (${id}, ${value})`);
      const [{ n }] = await tx.rows<{ n: number }>(sql`SELECT count(*) AS n FROM records`);
      return Number(n);
    });
  }
}

class LedgerService implements Implementation<typeof ledgerContract> {
  constructor(private readonly store: LedgerStore) {}

  async record({ id, value }: { id: string; value: string }) {
    return { count: await this.store.add(id, value) };
  }
}

const ledgerModule = defineModule({
  contract: ledgerContract,
  migrations: RECORDS_MIGRATIONS,
  bindings: [provide(LedgerStore, [Kernel.Db]), provide(LedgerService, [LedgerStore])],
  implementation: LedgerService,
  routes: defineRoutes((r) => {
    // Through a contract the ledger does not declare: a wiring mistake, refused.
    r.post('/api/ledger/sales', { access: 'public', summary: 'sells through the till' }, ({ use }) => use(tillContract).sell({ id: 'by-ledger-route' }));
  }),
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

const tillDefinition = {
  contract: tillContract,
  uses: [ledgerContract],
  migrations: RECORDS_MIGRATIONS,
  // Resolved while the till is hosted — before the ledger, which comes later in the registry.
  bindings: [provide(TillService, [ledgerContract.token])],
  implementation: TillService,
  routes: defineRoutes((r) => {
    // Through a contract the till declares.
    r.post('/api/till/ledger-entries', { access: 'public', summary: 'records straight in the ledger' }, ({ use }) => use(ledgerContract).record({ id: 'by-route', value: 'till route' }));
  }),
};
const tillModule = defineModule(tillDefinition);

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

  it("resolves the kernel's tokens: its own database, logger, the config and the token service", () => {
    const c = runtime.containerOf('ledger');
    const ledgerDb = c.get<ModuleDb>(Kernel.Db);
    const tillDb = runtime.containerOf('till').get<ModuleDb>(Kernel.Db);
    expect([ledgerDb.module, tillDb.module]).toEqual(['ledger', 'till']);
    expect(ledgerDb).not.toBe(tillDb);
    // Its own file on SQLite, its own schema on PostgreSQL.
    if (ledgerDb.dialect === 'sqlite') expect([basename(ledgerDb.location), basename(tillDb.location)]).toEqual(['ledger.db', 'till.db']);
    else expect([ledgerDb.location, tillDb.location]).toEqual([expect.stringMatching(/^schema ledger @ /), expect.stringMatching(/^schema till @ /)]);
    expect(c.get(Kernel.Logger)).toHaveProperty('info');
    expect(c.get(Kernel.Config)).toHaveProperty('dataDir');
    expect(c.get(Kernel.Tokens)).toBeInstanceOf(TokenService);
  });

  it("resolves another module's public interface by its contract token, whatever the registry order, and calls through it", async () => {
    const ledger = runtime.containerOf('till').get<Api<typeof ledgerContract>>(ledgerContract.token);
    expect(Object.keys(ledger)).toEqual(['record']);
    await expect(runtime.use(tillContract).sell({ id: 'sale-1' })).resolves.toEqual({ sales: 1 });
    expect(await recordsOf(runtime, 'ledger')).toEqual([{ id: 'sale-1', value: 'sale' }]);
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
    expect(() => runtime.root.get(Kernel.ReadCaches)).toThrow();
  });
});

describe('DI: a module declares what it uses', () => {
  const ledgerCount = async () => (await recordsOf(runtime, 'ledger')).length;

  it("resolves a contract it declares in `uses`: the till's container holds the ledger's interface", async () => {
    const ledger = runtime.containerOf('till').get<Api<typeof ledgerContract>>(ledgerContract.token);
    const before = await ledgerCount();
    await expect(ledger.record({ id: 'declared-1', value: 'x' })).resolves.toEqual({ count: before + 1 });
  });

  it('cannot resolve a contract it does not declare, and the refusal names the module, the contract and the fix', () => {
    expect(() => runtime.containerOf('ledger').get(tillContract.token)).toThrow(
      "Module ledger uses till without declaring it: add till's contract to `uses` in ledger's defineModule({...})",
    );
    expect(() => runtime.containerOf('till').get(tillContract.token)).toThrow('Module till asked for its own contract');
  });

  it('refuses, as the module is defined, a class that takes a contract the module does not declare', () => {
    expect(() => defineModule({ ...tillDefinition, uses: [] })).toThrow(
      "Module till uses ledger without declaring it: add ledger's contract to `uses` in till's defineModule({...}) (TillService takes it)",
    );
    expect(() => defineModule({ ...tillDefinition, uses: [ledgerContract, ledgerContract] })).toThrow('Module till lists ledger twice in `uses`');
    expect(() => defineModule({ ...tillDefinition, uses: [ledgerContract, tillContract] })).toThrow('Module till lists its own contract in `uses`');
  });

  it('refuses to start a module defined by hand that takes an undeclared contract, or uses one the registry does not hold', async () => {
    const undeclared = { ...tillDefinition, uses: [] } as unknown as ModuleDefinition;
    await expect(startRuntime([undeclared, ledgerModule])).rejects.toThrow(/Module till uses ledger without declaring it: add ledger's contract to `uses`/);
    await expect(startRuntime([tillModule])).rejects.toThrow('Module till uses ledger, which the module registry does not hold');
  });

  it("lets a module's routes use its declared contracts, and refuses (500, nothing done) one they do not declare", async () => {
    const before = await ledgerCount();
    expect((await request(runtime.http!).post('/api/till/ledger-entries')).status).toBe(200);
    expect(await ledgerCount()).toBe(before + 1);
    const refused = await request(runtime.http!).post('/api/ledger/sales');
    expect(refused.status).toBe(500);
    expect(refused.body.detail ?? refused.body.title).not.toContain('till');
    expect((await recordsOf(runtime, 'ledger')).map((r) => r.id)).not.toContain('by-ledger-route');
    expect(await ledgerCount()).toBe(before + 1);
    // What the log says about that 500.
    expect(() => useFor(ledgerModule, (contract) => runtime.use(contract))(tillContract)).toThrow("Module ledger uses till without declaring it: add till's contract to `uses`");
    expect(useFor(ledgerModule, (contract) => runtime.use(contract))(ledgerContract)).toBe(runtime.use(ledgerContract));
  });
});
