import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { connect, type PostgresClient, type PostgresOptions } from './postgres-connect.ts';
import { postgresStoreIdentity } from './store-identity.ts';

/**
 * Brings a module's schema up to date: creates the schema if it is missing, then applies the
 * kernel's migrations and the module's own, each set recorded in its own table inside the schema
 * (as drizzle's migrator does, but without touching any other schema, so a role that owns only
 * the module's schema can run it). Replicas starting together take turns on an advisory lock.
 * Returns the store's identity, given to it here the first time (store-identity.ts).
 */
export async function migratePostgres(options: PostgresOptions, schema: string, module: string, folders: { kernel: string; module: string }): Promise<string> {
  // One connection: the session lock and every migration run on it.
  const session = connect({ url: options.url, poolSize: 1 }, schema, module);
  const lock = `cleave.migrate.${schema}`;
  try {
    await session`SELECT pg_advisory_lock(hashtext(${lock}))`;
    await ensureSchema(session, schema);
    await apply(session, readMigrationFiles({ migrationsFolder: folders.kernel }), '__kernel_migrations');
    const identity = await postgresStoreIdentity(session);
    await apply(session, readMigrationFiles({ migrationsFolder: folders.module }), '__module_migrations');
    return identity;
  } finally {
    // Ending the session releases its lock too.
    await session.end({ timeout: 5 });
  }
}

async function ensureSchema(session: PostgresClient, schema: string): Promise<void> {
  const [found] = await session`SELECT 1 AS found FROM pg_namespace WHERE nspname = ${schema}`;
  if (found) return;
  try {
    await session`CREATE SCHEMA ${session(schema)}`;
  } catch (err) {
    const [{ role }] = await session<Array<{ role: string }>>`SELECT current_user AS role`;
    throw new Error(
      `PostgreSQL schema "${schema}" does not exist and role "${role}" may not create it ` +
        `(${(err as Error).message}). Create it for the role: CREATE SCHEMA ${schema} AUTHORIZATION ${role};`,
    );
  }
}

async function apply(session: PostgresClient, migrations: MigrationMeta[], table: string): Promise<void> {
  await session.unsafe(`CREATE TABLE IF NOT EXISTS "${table}" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
  const [last] = await session.unsafe<Array<{ created_at: string | number }>>(`SELECT created_at FROM "${table}" ORDER BY created_at DESC LIMIT 1`);
  const applied = last ? Number(last.created_at) : -1;
  for (const migration of migrations) {
    if (migration.folderMillis <= applied) continue;
    await session.begin(async (tx) => {
      for (const statement of migration.sql) if (statement.trim()) await tx.unsafe(statement);
      await tx.unsafe(`INSERT INTO "${table}" (hash, created_at) VALUES ($1, $2)`, [migration.hash, migration.folderMillis]);
    });
  }
}
