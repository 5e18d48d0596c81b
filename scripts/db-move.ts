/**
 * Moves a shop's data from its SQLite files into PostgreSQL, each module into the schema named
 * after it, verified table by table. Run it with the shop stopped; then start the shop with
 * DATABASE_URL set to the same URL.
 *
 *   npm run db:move -- --to postgres://user:password@host:5432/shop [--module <name> ...] [--data-dir <dir>]
 *
 * The work is src/kernel/persistence/move-to-postgres.ts; this reads the command line, picks the
 * modules from the registry and prints a line per module.
 */
import { parseArgs } from 'node:util';
import { allModules, moduleNames } from '../src/app/modules.ts';
import { VARIABLES } from '../src/kernel/config-variables.ts';
import { MoveRefused } from '../src/kernel/persistence/move-refused.ts';
import { moveToPostgres, type ModuleMoved, type ModuleToMove } from '../src/kernel/persistence/move-to-postgres.ts';
import { serverOf } from '../src/kernel/persistence/postgres-connect.ts';

const USAGE = `Usage: npm run db:move -- --to postgres://user:password@host:5432/shop [--module <name> ...] [--data-dir <dir>]

Copies every module's SQLite file in the data directory (or only the modules named) into the
PostgreSQL database at --to, one schema per module, and checks each table's rows and checksum.
Stop the shop first; start it afterwards with DATABASE_URL set to the same URL.
Refuses, changing nothing, when a module's schema there already holds rows.

  --to        the PostgreSQL database (it must exist)
  --module    a module to move (repeat, or separate with commas); default: all of ${moduleNames.join(', ')}
  --data-dir  where the SQLite files are (default: DATA_DIR, or ./data)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { to: { type: 'string' }, module: { type: 'string', multiple: true }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const url = values.to;
  if (!url || !VARIABLES.DATABASE_URL.schema.safeParse(url).success) throw new MoveRefused(`--to must be a PostgreSQL URL (postgres://user:password@host:5432/shop).\n\n${USAGE}`);
  const dataDir = values['data-dir'] ?? VARIABLES.DATA_DIR.schema.parse(process.env.DATA_DIR || undefined);
  const modules = chosen(values.module?.flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean));

  console.log(`Moving ${modules.map((m) => m.name).join(', ')} from ${dataDir} to ${serverOf(url)}`);
  const started = performance.now();
  const done: string[] = [];
  const moved = await moveToPostgres(modules, {
    url,
    dataDir,
    moved: (m) => {
      done.push(m.module);
      console.log(line(m));
    },
  }).catch((err: unknown) => {
    // Each module commits on its own: say which are in PostgreSQL already, and how to finish.
    const rest = modules.map((m) => m.name).filter((m) => !done.includes(m));
    if (done.length > 0) console.error(`Moved and committed before the failure: ${done.join(', ')}. Once fixed, move the rest with --module ${rest.join(',')}.`);
    throw err;
  });
  const rows = moved.reduce((n, m) => n + m.rows, 0);
  const seconds = (performance.now() - started) / 1000;
  console.log(`Done: ${moved.length} module${moved.length === 1 ? '' : 's'}, ${rows} rows in ${seconds.toFixed(1)} s. Start the shop with DATABASE_URL set to this database; ${dataDir} keeps the SQLite files, no longer used.`);
}

/** The registry's modules, or those named; an unknown name is refused with the list of known ones. */
function chosen(names: string[] | undefined): ModuleToMove[] {
  const unknown = (names ?? []).filter((n) => !moduleNames.includes(n));
  if (unknown.length > 0) throw new MoveRefused(`No module named ${unknown.join(', ')}. The modules are: ${moduleNames.join(', ')}.`);
  const picked = names?.length ? allModules.filter((m) => names.includes(m.contract.name)) : allModules;
  return picked.map((m) => {
    if (!m.tables) throw new MoveRefused(`Module ${m.contract.name} does not declare its tables (tables: schemas in its defineModule), so it cannot be moved.`);
    return { name: m.contract.name, migrations: m.migrations, tables: m.tables };
  });
}

function line(m: ModuleMoved): string {
  const rate = m.rows > 0 && m.seconds > 0 ? ` (${Math.round(m.rows / m.seconds)} rows/s)` : '';
  return `  ${m.module.padEnd(17)} ${String(m.tables).padStart(2)} tables ${String(m.rows).padStart(8)} rows  ${m.seconds.toFixed(2)} s${rate}  -> schema ${m.schema}`;
}

main().catch((err: unknown) => {
  console.error(err instanceof MoveRefused ? err.message : err instanceof Error ? `db:move failed: ${err.message}` : err);
  process.exit(1);
});
