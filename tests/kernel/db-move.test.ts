import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allModules } from '../../src/app/modules.ts';
import { migrationFolders } from '../../src/kernel/persistence/database.ts';
import * as kernelPostgres from '../../src/kernel/persistence/kernel-schema.pg.ts';
import * as kernelSqlite from '../../src/kernel/persistence/kernel-schema.ts';
import { moveToPostgres, type ModuleToMove } from '../../src/kernel/persistence/move-to-postgres.ts';
import { migratePostgres } from '../../src/kernel/persistence/postgres-migrate.ts';
import { checksumMismatch, TableChecksum } from '../../src/kernel/persistence/row-checksum.ts';
import { readValue, tablePairs, writeValue } from '../../src/kernel/persistence/table-pairs.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { dbMove, pgRows, pgSchemaCounts } from '../support/db-move.ts';
import { databaseFor, openTestModuleDb, TEST_ENGINE } from '../support/engine.ts';

/**
 * `npm run db:move`: a module's SQLite file copied into its PostgreSQL schema, kernel tables
 * included, verified, and refused when it would overwrite anything. The whole shop moved with
 * orders in flight is tests/faults/move-to-postgres.test.ts.
 */

const KERNEL = { sqlite: kernelSqlite, postgres: kernelPostgres };

function registered(name: string): ModuleToMove {
  const definition = allModules.find((m) => m.contract.name === name)!;
  return { name, migrations: definition.migrations, tables: definition.tables! };
}

/** A data dir holding `module`'s SQLite file, migrated as the shop leaves it, with `fill` written into it. */
async function sqliteFile(module: string, fill: (db: Database.Database) => void): Promise<string> {
  expect(TEST_ENGINE, 'the source of a move is SQLite: run this file in the sqlite project').toBe('sqlite');
  const dataDir = tempDataDir();
  await (await openTestModuleDb(dataDir, module, registered(module).migrations)).close();
  const db = new Database(join(dataDir, `${module}.db`));
  try {
    fill(db);
  } finally {
    db.close();
  }
  return dataDir;
}

const NOW = Date.now();

/** Search's file: products (booleans, identity numbers), the kernel's outbox and inbox in every state they rest in. */
function searchWithWorkInFlight(db: Database.Database): void {
  const product = db.prepare(
    `INSERT INTO search_products (doc_id, product_id, name, description, category_id, price, active, in_stock, created_at, version_at)
     VALUES (?, ?, ?, ?, 'c1', ?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z')`,
  );
  product.run(1, 'p1', 'Crème lamp', 'A warm light', 2500, 1, 0);
  product.run(2, 'p2', 'Walnut desk', 'Solid "walnut"', 19900, 0, 1);
  product.run(7, 'p7', 'Ünïcode ✓ chair', '', 4200, 1, 1);
  const outbox = db.prepare(
    `INSERT INTO kernel_outbox (seq, id, type, version, key, trace_id, payload, occurred_at, published_at) VALUES (?, ?, 'search.indexed', 1, ?, NULL, ?, '2026-01-01T00:00:00.000Z', ?)`,
  );
  outbox.run(1, 'e1', 'p1', '{"productId":"p1"}', '2026-01-01T00:00:01.000Z');
  outbox.run(2, 'e2', 'p2', '{"productId":"p2","nested":{"b":1,"a":[1,2]}}', null);
  outbox.run(3, 'e3', null, '{}', null);
  // The last one is gone, but SQLite never hands out its number again: PostgreSQL must not either.
  db.prepare('DELETE FROM kernel_outbox WHERE seq = 3').run();
  const inbox = db.prepare(
    `INSERT INTO kernel_inbox (seq, event_id, handler, type, key, envelope, status, attempts, next_attempt_at, locked_until, last_error, received_at, handled_at)
     VALUES (?, ?, ?, 'catalog.product_created', 'p1', '{"id":"x"}', ?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', ?)`,
  );
  inbox.run(1, 'x1', 'IndexNewProduct', 'done', 1, 0, 0, null, '2026-01-01T00:00:02.000Z');
  inbox.run(2, 'x2', 'IndexNewProduct', 'pending', 0, NOW + 60_000, 0, null, null);
  // Claimed by a process that died: its lease runs out later, as it would have.
  inbox.run(3, 'x3', 'IndexNewProduct', 'pending', 1, 0, NOW + 30_000, null, null);
  inbox.run(4, 'x4', 'DropArchivedProduct', 'dead', 8, 0, 0, 'Error: gone for good', null);
}

describe('db:move copies a module into its PostgreSQL schema', () => {
  it('copies its own and the kernel\'s tables exactly, pending work in the state it was in, and numbers new rows past the old', async () => {
    const dataDir = await sqliteFile('search', searchWithWorkInFlight);
    const url = await databaseFor(tempDataDir());

    const [moved] = await moveToPostgres([registered('search')], { url, dataDir });

    // Three products, two outbox rows, four inbox rows, and the store's identity.
    expect(moved).toMatchObject({ module: 'search', schema: 'search', tables: 7, rows: 3 + 2 + 4 + 1 });
    // The store keeps the identity it had in SQLite: the migrator's fresh one does not survive the copy.
    const [sqliteIdentity] = new Database(join(dataDir, 'search.db'), { readonly: true }).prepare('SELECT id FROM kernel_store_identity').all();
    expect(await pgRows(url, 'SELECT id FROM search.kernel_store_identity')).toEqual([sqliteIdentity]);
    expect(await pgRows(url, 'SELECT doc_id, product_id, name, price, active, in_stock FROM search.search_products ORDER BY doc_id')).toEqual([
      { doc_id: 1, product_id: 'p1', name: 'Crème lamp', price: 2500, active: true, in_stock: false },
      { doc_id: 2, product_id: 'p2', name: 'Walnut desk', price: 19900, active: false, in_stock: true },
      { doc_id: 7, product_id: 'p7', name: 'Ünïcode ✓ chair', price: 4200, active: true, in_stock: true },
    ]);
    expect(await pgRows(url, 'SELECT seq, id, payload, published_at FROM search.kernel_outbox ORDER BY seq')).toEqual([
      { seq: '1', id: 'e1', payload: '{"productId":"p1"}', published_at: '2026-01-01T00:00:01.000Z' },
      { seq: '2', id: 'e2', payload: '{"productId":"p2","nested":{"b":1,"a":[1,2]}}', published_at: null },
    ]);
    expect(await pgRows(url, 'SELECT event_id, status, attempts, next_attempt_at::text AS next, locked_until::text AS locked, last_error FROM search.kernel_inbox ORDER BY seq')).toEqual([
      { event_id: 'x1', status: 'done', attempts: 1, next: '0', locked: '0', last_error: null },
      { event_id: 'x2', status: 'pending', attempts: 0, next: String(NOW + 60_000), locked: '0', last_error: null },
      { event_id: 'x3', status: 'pending', attempts: 1, next: '0', locked: String(NOW + 30_000), last_error: null },
      { event_id: 'x4', status: 'dead', attempts: 8, next: '0', locked: '0', last_error: 'Error: gone for good' },
    ]);
    // Sequences continue after the highest number SQLite handed out, deleted rows included.
    expect(await pgRows(url, "SELECT nextval('search.kernel_outbox_seq_seq')::int AS next")).toEqual([{ next: 4 }]);
    expect(await pgRows(url, "SELECT nextval('search.kernel_inbox_seq_seq')::int AS next")).toEqual([{ next: 5 }]);
    expect(await pgRows(url, "SELECT nextval('search.search_products_doc_id_seq')::int AS next")).toEqual([{ next: 8 }]);
    // The migration history is the migrator's own, not a copy.
    expect((await pgSchemaCounts(url, 'search')).__module_migrations).toBe(2);
  });

  it('refuses a schema that already holds rows, names the module, table and count, and changes nothing', async () => {
    const dataDir = await sqliteFile('search', searchWithWorkInFlight);
    const url = await databaseFor(tempDataDir());
    expect((await dbMove(['--to', url, '--data-dir', dataDir, '--module', 'search'])).code).toBe(0);
    const before = await pgSchemaCounts(url, 'search');

    // cart's file is there too, and its schema empty: still nothing of it may be written.
    await (await openTestModuleDb(dataDir, 'cart', registered('cart').migrations)).close();
    const again = await dbMove(['--to', url, '--data-dir', dataDir, '--module', 'cart,search']);

    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Nothing was moved');
    expect(again.stderr).toContain('search: schema "search" already holds data');
    expect(again.stderr).toContain('search_products has 3 rows');
    expect(again.stderr).toContain('kernel_inbox has 4 rows');
    expect(again.stderr).toContain('DROP SCHEMA "search" CASCADE');
    expect(await pgSchemaCounts(url, 'search')).toEqual(before);
    expect(await pgRows(url, "SELECT nspname FROM pg_namespace WHERE nspname = 'cart'")).toEqual([]);
  });

  it('rolls a module back and names the table when a table read back differs from what was read', async () => {
    const dataDir = await sqliteFile('search', searchWithWorkInFlight);
    const url = await databaseFor(tempDataDir());
    // An empty, migrated schema whose server changes a value on the way in (a trigger): the copy must notice.
    const search = registered('search');
    await migratePostgres({ url, poolSize: 1 }, 'search', 'search', migrationFolders(search.migrations, 'postgres'));
    await pgRows(url, `CREATE FUNCTION search.halve() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.price := NEW.price / 2; RETURN NEW; END $$`);
    await pgRows(url, 'CREATE TRIGGER halve BEFORE INSERT ON search.search_products FOR EACH ROW EXECUTE FUNCTION search.halve()');

    const result = await dbMove(['--to', url, '--data-dir', dataDir, '--module', 'search']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('search: the copy does not match its source');
    expect(result.stderr).toContain('table search_products: the same 3 rows, but their values differ');
    const counts = await pgSchemaCounts(url, 'search');
    // Only what the migrator writes stays: its history, and the identity it gave the new schema.
    expect(Object.entries(counts).filter(([table, n]) => !table.startsWith('__') && table !== 'kernel_store_identity' && n > 0)).toEqual([]);
  });

  it('names the modules there are when given another, and the file it did not find', async () => {
    const url = await databaseFor(tempDataDir());
    const unknown = await dbMove(['--to', url, '--module', 'carts']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No module named carts. The modules are: user, catalog, search, cart,');

    const dataDir = await sqliteFile('search', () => {});
    const missing = await dbMove(['--to', url, '--data-dir', dataDir, '--module', 'search,cart']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cart: there is no ${join(dataDir, 'cart.db')}`);
    expect(missing.stderr).not.toMatch(/search:/);
    expect(await pgRows(url, "SELECT nspname FROM pg_namespace WHERE nspname IN ('cart', 'search')")).toEqual([]);
  });

  it('never prints the password of the URL', async () => {
    const url = new URL(await databaseFor(tempDataDir()));
    url.password = 'hunter2-secret';
    url.pathname = '/cleave_no_such_database';
    const result = await dbMove(['--to', url.toString(), '--data-dir', tempDataDir(), '--module', 'cart']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('cleave_no_such_database');
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });

  it('knows the tables of every registered module', () => {
    expect(allModules.filter((m) => !m.tables).map((m) => m.contract.name)).toEqual([]);
  });
});

describe('what db:move converts and compares', () => {
  it('orders tables so that each comes after the tables its foreign keys point at', () => {
    const names = tablePairs('user', [KERNEL, registered('user').tables]).map((p) => p.name);
    expect(names.indexOf('users')).toBeLessThan(names.indexOf('addresses'));
    expect(names).toEqual(expect.arrayContaining(['kernel_outbox', 'kernel_inbox', 'kernel_generations']));
  });

  it('converts a value where the engines store it differently, as drizzle declares each side', () => {
    const pairs = tablePairs('order-taking', [KERNEL, registered('order-taking').tables]);
    const column = (table: string, name: string) => pairs.find((p) => p.name === table)!.columns.find((c) => c.name === name)!;
    const items = column('orders', 'items');
    const stored = '[{"productId":"p1","quantity":2}]';
    expect(readValue(items.sqlite, stored)).toEqual([{ productId: 'p1', quantity: 2 }]);
    expect(writeValue(items.postgres, readValue(items.sqlite, stored))).toBe(stored);

    const active = tablePairs('search', [registered('search').tables]).find((p) => p.name === 'search_products')!.columns.find((c) => c.name === 'active')!;
    expect(writeValue(active.postgres, readValue(active.sqlite, 0))).toBe(false);
    expect(writeValue(active.postgres, readValue(active.sqlite, 1))).toBe(true);
    expect(writeValue(active.postgres, readValue(active.sqlite, null))).toBeNull();
  });

  it('refuses declarations where one engine has a table the other lacks', () => {
    const { searchStock: _left, ...postgres } = registered('search').tables.postgres;
    expect(() => tablePairs('search', [{ sqlite: registered('search').tables.sqlite, postgres }])).toThrow('table search_stock is declared for SQLite only');
  });

  it('sums rows whatever order they are read in, and tells a changed value, a missing row and a duplicate apart', () => {
    const sum = (rows: unknown[][]) => {
      const checksum = new TableChecksum();
      for (const row of rows) checksum.add(row);
      return checksum;
    };
    const a = [1, 'lamp', true, { b: 1, a: [2] }];
    const b = [2, 'desk', false, null];
    expect(checksumMismatch('t', sum([a, b]), sum([b, a]))).toBeNull();
    expect(checksumMismatch('t', sum([a]), sum([[1, 'lamp', true, { a: [2], b: 1 }]]))).toBeNull();

    expect(checksumMismatch('products', sum([a, b]), sum([a, [2, 'desk', true, null]]))).toMatch(/^table products: the same 2 rows, but their values differ/);
    expect(checksumMismatch('products', sum([a, b]), sum([a]))).toBe('table products: 2 rows in SQLite but 1 in PostgreSQL');
    // Twice the same row is not the same as twice another (a XOR of row hashes would say it is).
    expect(checksumMismatch('t', sum([a, a]), sum([b, b]))).not.toBeNull();
    expect(checksumMismatch('t', sum([[1]]), sum([['1']]))).not.toBeNull();
    expect(checksumMismatch('t', sum([[null]]), sum([['']]))).not.toBeNull();
  });
});
