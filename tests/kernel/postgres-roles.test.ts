import { readdirSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { moduleDatabaseVariable } from '../../src/kernel/persistence/database.ts';
import { schemaOf } from '../../src/kernel/persistence/postgres-connect.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { describeJourneys } from '../journey/journey-suite.ts';
import { databaseFor, runDatabasePrefix } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { ShopClient } from '../support/client.ts';
import { startTestShop } from '../support/in-process.ts';

/**
 * Isolation enforced by the database (README, "PostgreSQL"): every module connects as a role
 * that owns its own schema and nothing else, set up with the lines README gives an operator.
 * The whole journey suite then runs on that shop, and one module's role is shown the door when it
 * reads another module's tables.
 */
const dataDir = tempDataDir('cleave-roles-');
const roles = new Map<string, string>();
let databaseUrl = '';

async function setUpRoles(): Promise<void> {
  databaseUrl = await databaseFor(dataDir);
  const database = new URL(databaseUrl).pathname.slice(1);
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (const module of moduleNames) {
      const schema = schemaOf(module);
      const role = `${runDatabasePrefix()}${schema}`.slice(0, 63);
      // What README tells an operator to run, per module (trust auth here: no password).
      await admin.unsafe(`DROP ROLE IF EXISTS "${role}"`);
      await admin.unsafe(`CREATE ROLE "${role}" LOGIN`);
      await admin.unsafe(`GRANT CONNECT ON DATABASE "${database}" TO "${role}"`);
      await admin.unsafe(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`);
      roles.set(module, role);
    }
    // Nobody but a schema's owner may create in public (PostgreSQL 15's default; said here for older servers).
    await admin.unsafe('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  } finally {
    await admin.end();
  }
}

function urlAs(role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  return url.toString();
}

function perModuleEnv(): Record<string, string> {
  return Object.fromEntries(moduleNames.map((m) => [moduleDatabaseVariable(m), urlAs(roles.get(m)!)]));
}

afterAll(async () => {
  // The run's teardown drops the database; roles are cluster-wide and go here, once they own nothing.
  const admin = postgres(new URL('/postgres', databaseUrl).toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    for (const role of roles.values()) await admin.unsafe(`DROP ROLE IF EXISTS "${role}"`);
  } finally {
    await admin.end();
  }
});

/** The roles are made once, by whichever block of this file needs them first (a filtered run may skip the journeys). */
let rolesMade: Promise<void> | undefined;
const rolesSetUp = () => (rolesMade ??= setUpRoles());

describeJourneys('monolith, one PostgreSQL role per module', async () => {
  await rolesSetUp();
  const shop = await startTestShop({ dataDir, env: perModuleEnv() });
  return { url: shop.url, stop: () => shop.stop() };
});

describe('a shop on PostgreSQL', () => {
  it('kept no module database in DATA_DIR through the whole journey suite', () => {
    expect(roles.size).toBe(moduleNames.length);
    expect(readdirSync(dataDir).filter((f) => /\.db(-wal|-shm)?$/.test(f))).toEqual([]);
  });

  it('gives each module a role that cannot read another module\'s tables', async () => {
    const cart = postgres(urlAs(roles.get('cart')!), { max: 1, onnotice: () => {} });
    try {
      await expect(cart`SELECT count(*) FROM catalog.products`).rejects.toThrow(/permission denied/);
      await expect(cart`SELECT count(*) FROM order_taking.orders`).rejects.toThrow(/permission denied/);
      // Its own schema it reads: the query answers (one row), where the others were refused.
      await expect(cart`SELECT count(*) AS n FROM cart.cart_lines`).resolves.toHaveLength(1);
    } finally {
      await cart.end();
    }
  });
});

describe('a module whose database turns it away', () => {
  it('answers 503, not 500, while the cart\'s role may not connect, and serves the cart again once it may', async () => {
    await rolesSetUp();
    const shop = await startTestShop({ dataDir, env: perModuleEnv() });
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const cartRole = roles.get('cart')!;
    try {
      const api = new ShopClient(shop.url);
      const { token } = await api.registerCustomer();
      expect((await api.get('/api/cart', token)).status).toBe(200);

      // The server refuses the role new sessions (53300) and ends those it has.
      await admin.unsafe(`ALTER ROLE "${cartRole}" CONNECTION LIMIT 0`);
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${cartRole}`;
      const refused = await api.get('/api/cart', token);
      expect(refused.status).toBe(503);
      expect(refused.body.detail).toMatch(/cannot reach its database just now; try again shortly/);
      // The rest of the shop is not affected.
      expect((await api.get('/api/products?limit=1')).status).toBe(200);

      await admin.unsafe(`ALTER ROLE "${cartRole}" CONNECTION LIMIT -1`);
      // "Shortly", as the 503 says: a connection the pool was opening when the role was refused
      // may fail one more request (seen once under CI's load), after which the cart serves again.
      await eventually(async () => (await api.get('/api/cart', token)).status, (status) => status === 200, { timeoutMs: 5_000, what: 'the cart to be served again' });
    } finally {
      await admin.unsafe(`ALTER ROLE "${cartRole}" CONNECTION LIMIT -1`);
      await admin.end();
      await shop.stop();
    }
  });
});
