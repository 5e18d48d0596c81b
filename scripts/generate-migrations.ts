/**
 * Generates drizzle-kit migrations for the kernel's tables and for every module's schema.
 * Usage: npm run db:generate [-- <module> ...]   (commit the files it writes)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const targets: Array<{ name: string; schema: string; out: string }> = [
  { name: 'kernel', schema: 'src/kernel/persistence/kernel-schema.ts', out: 'src/kernel/persistence/migrations' },
  ...readdirSync('src/modules', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`src/modules/${d.name}/internal/schema.ts`))
    .map((d) => ({ name: d.name, schema: `src/modules/${d.name}/internal/schema.ts`, out: `src/modules/${d.name}/migrations` })),
];

for (const t of targets.filter((t) => only.length === 0 || only.includes(t.name))) {
  console.log(`# ${t.name}`);
  execFileSync('npx', ['drizzle-kit', 'generate', '--dialect', 'sqlite', '--schema', t.schema, '--out', t.out], { stdio: 'inherit' });
}
