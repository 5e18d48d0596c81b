/**
 * Generates drizzle-kit migrations for the kernel's tables and for every module's schema, in both
 * dialects: SQLite from schema.ts into migrations/sqlite/, PostgreSQL from schema.pg.ts into
 * migrations/postgres/. Usage: npm run db:generate [-- <module> ...]   (commit the files it writes)
 *
 * drizzle-kit qualifies the tables that foreign keys reference with "public"; each module's tables
 * live in the schema its connection's search_path names, so the new PostgreSQL files lose that prefix.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Target {
  name: string;
  dialect: 'sqlite' | 'postgresql';
  schema: string;
  out: string;
}

function targets(name: string, dir: string, sqliteSchema: string, pgSchema: string): Target[] {
  return [
    { name, dialect: 'sqlite', schema: sqliteSchema, out: `${dir}/sqlite` },
    { name, dialect: 'postgresql', schema: pgSchema, out: `${dir}/postgres` },
  ];
}

const only = process.argv.slice(2);
const all: Target[] = [
  ...targets('kernel', 'src/kernel/persistence/migrations', 'src/kernel/persistence/kernel-schema.ts', 'src/kernel/persistence/kernel-schema.pg.ts'),
  ...readdirSync('src/modules', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`src/modules/${d.name}/internal/schema.ts`))
    .flatMap((d) => targets(d.name, `src/modules/${d.name}/migrations`, `src/modules/${d.name}/internal/schema.ts`, `src/modules/${d.name}/internal/schema.pg.ts`)),
];

const sqlFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')) : []);

for (const t of all.filter((t) => only.length === 0 || only.includes(t.name))) {
  if (!existsSync(t.schema)) throw new Error(`${t.name}: ${t.schema} is missing (every module declares its tables for both dialects)`);
  console.log(`# ${t.name} (${t.dialect})`);
  const before = new Set(sqlFiles(t.out));
  execFileSync('npx', ['drizzle-kit', 'generate', '--dialect', t.dialect, '--schema', t.schema, '--out', t.out], { stdio: 'inherit' });
  if (t.dialect !== 'postgresql') continue;
  for (const file of sqlFiles(t.out).filter((f) => !before.has(f))) {
    const path = join(t.out, file);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('"public".', ''));
  }
}
