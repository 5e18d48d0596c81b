import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run db:move -- <args>` as an operator would (the script itself, without npm's banner). */
export function dbMove(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/db-move.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Rows of a query on a database given by URL (the tests' own connection, closed after). */
export async function pgRows<T>(url: string, query: string, params: unknown[] = []): Promise<T[]> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await client.unsafe(query, params as never[])) as unknown as T[];
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Every table of a PostgreSQL schema with its row count (migration history included): what "changed nothing" compares. */
export async function pgSchemaCounts(url: string, schema: string): Promise<Record<string, number>> {
  const tables = await pgRows<{ table: string }>(url, 'SELECT tablename AS table FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema]);
  const counts: Record<string, number> = {};
  for (const { table } of tables) {
    const [{ n }] = await pgRows<{ n: string }>(url, `SELECT count(*) AS n FROM "${schema}"."${table}"`);
    counts[table] = Number(n);
  }
  return counts;
}

/** Rows of a query on a module's SQLite file in `dataDir`, read only. */
export function sqliteRows<T>(dataDir: string, module: string, query: string, params: unknown[] = []): T[] {
  const file = join(dataDir, `${module}.db`);
  if (!existsSync(file)) throw new Error(`no ${file}`);
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}
