/**
 * `npm run bench:compare -- <rev> <rev> [...]`: the checkout (or the browse mix, or durable events)
 * of two or more commits, measured in turns on this machine, with medians. One `npm run bench`
 * swings 10-20% on a busy machine, so a "before and after" from single runs says little; runs
 * taken in turns (A B, B A, A B, ...) share whatever the machine is doing, and their medians can
 * be compared.
 *
 * Each commit is checked out in a git worktree of its own (under the OS's temp folder, kept for the
 * next comparison), built, seeded (BENCH_PRODUCTS, default 3000) and given customers; then each
 * round starts the topology of every commit in turn and drives the checkout load of bench/checkout.ts
 * (bench/compare-worker.ts, from the commit's own tree). Options:
 *   --load <what>        checkout (default), browse (the bench's browse mix, 10 connections, after
 *                        3 s of warm-up) or events (bench/kernel.ts's durable events, 20,000 in one
 *                        process after 2,000 to warm up, no topology): the three figures `npm run bench`
 *                        judges storage by
 *   --topology <name>    from deploy/topologies.json (default split-all)
 *   --rounds <n>         turns per commit (default 3)
 *   --seconds <s>        load per turn (default 15)
 *   --customers <n>      customers ordering at once (default 32, as the bench)
 *   --census             also count the promises and timers each process creates per paid order
 *                        (bench/async-census.cjs): counts that do not move with the machine's
 *                        load, where time does. Its hook slows the processes: CPU and paid/s
 *                        figures of a census run are comparable only with other census runs.
 * Prints, per commit: median paid/s, p50 to paid, and CPU ms per paid order (all processes, and the
 * processes that cost the most). CPU per order is the steadiest of the three on a shared machine.
 * Browse and events print the median rate, CPU ms per thousand requests or events, and each turn's
 * rate as a share of the first commit's in the same round.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CheckoutFigures } from './checkout.ts';
import { run } from './processes.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  return value;
};
const load = option('load', 'checkout');
const topology = option('topology', 'split-all');
const rounds = Number(option('rounds', '3'));
const seconds = Number(option('seconds', '15'));
const customers = Number(option('customers', '32'));
const flag = (name: string) => {
  const at = args.indexOf(`--${name}`);
  if (at >= 0) args.splice(at, 1);
  return at >= 0;
};
const takeCensus = flag('census');
const products = Number(process.env.BENCH_PRODUCTS ?? 3000);
const revs = args;
if (revs.length < 2 || !['checkout', 'browse', 'events'].includes(load) || ![rounds, seconds, customers, products].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: npm run bench:compare -- <rev> <rev> [...] [--load checkout|browse|events] [--topology split-all] [--rounds 3] [--seconds 15] [--customers 32] [--census]');
  process.exit(2);
}

const log = (message: string) => console.error(`[compare] ${message}`);
const here = resolve('.');
const git = (...a: string[]) => execFileSync('git', a, { cwd: here, encoding: 'utf8' }).trim();
const WORKER = join(here, 'bench', 'compare-worker.ts');

interface Tree {
  rev: string;
  sha: string;
  dir: string;
  dataDir: string;
}

/** A built worktree of `rev`, with its own data directory, seeded and with customers. */
async function prepare(rev: string): Promise<Tree> {
  const sha = git('rev-parse', '--short', `${rev}^{commit}`);
  const dir = join(tmpdir(), `cleave-compare-${sha}`);
  if (!existsSync(join(dir, 'package.json'))) {
    log(`${rev}: worktree ${dir}`);
    git('worktree', 'add', '--force', '--detach', dir, sha);
  }
  if (!existsSync(join(dir, 'node_modules'))) {
    // The same lockfile: this checkout's packages serve; another: the commit installs its own.
    if (readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(here, 'package-lock.json'), 'utf8')) {
      symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'));
    } else {
      log(`${rev}: npm ci (its lockfile differs from this checkout's)`);
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    }
  }
  log(`${rev}: npm run build`);
  execFileSync('npm', ['run', '-s', 'build'], { cwd: dir, stdio: 'inherit' });
  const dataDir = join(tmpdir(), `cleave-compare-data-${sha}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const tree = { rev, sha, dir, dataDir };
  if (load === 'events') return tree; // needs no shop
  log(`${rev}: seeding ${products} products, registering ${customers} customers`);
  await worker(tree, ['prepare', dataDir, String(products), String(customers)]);
  return tree;
}

function worker(tree: Tree, step: string[]): Promise<string> {
  return run(['--import', 'tsx', WORKER, ...step], process.env, tree.dir);
}

type Turn = CheckoutFigures & { cpuMsPerOrder: Record<string, number>; asyncPerOrder?: Record<string, Record<string, number>> };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** The figures a worker step prints: its last line that is a JSON object (what it logs comes before). */
const lastJsonLine = (out: string): unknown => JSON.parse(out.split('\n').findLast((line) => line.startsWith('{'))!);
/**
 * The commits in the order they run in `round`: A B, then B A, and so on, so that whatever going
 * second costs (the disk still writing back the first turn's data, a machine that slows as the
 * session goes on) falls on each commit alike instead of reading as a difference between them.
 */
const inTurn = <T>(xs: T[], round: number): T[] => (round % 2 === 1 ? xs : [...xs].reverse());

async function main(): Promise<void> {
  const trees: Tree[] = [];
  for (const rev of revs) trees.push(await prepare(rev));
  if (load !== 'checkout') return compareRates(trees);
  const turns = new Map<string, Turn[]>(trees.map((t) => [t.sha, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const tree of inTurn(trees, round)) {
      const out = await worker(tree, ['run', tree.dataDir, topology, String(seconds), String(customers), ...(takeCensus ? ['census'] : [])]);
      const turn = lastJsonLine(out) as Turn;
      turns.get(tree.sha)!.push(turn);
      log(`round ${round} ${tree.rev}: ${turn.paidPerSecond.toFixed(1)} paid/s, p50 ${turn.p50ToPaidMs} ms, ${sum(Object.values(turn.cpuMsPerOrder)).toFixed(1)} CPU ms/order, ${turn.errors} errors`);
    }
  }
  console.log(`\n${topology}, checkout with ${customers} customers, ${seconds} s a turn, ${rounds} turn${rounds === 1 ? '' : 's'} each (medians)\n`);
  const rows = trees.map((tree) => {
    const ts = turns.get(tree.sha)!;
    const names = Object.keys(ts[0].cpuMsPerOrder);
    const perProcess = names.map((n) => [n, median(ts.map((t) => t.cpuMsPerOrder[n]))] as const).sort((a, b) => b[1] - a[1]);
    return [
      `${tree.rev} (${tree.sha})`,
      median(ts.map((t) => t.paidPerSecond)).toFixed(1),
      median(ts.map((t) => t.p50ToPaidMs)).toFixed(0),
      median(ts.map((t) => sum(Object.values(t.cpuMsPerOrder)))).toFixed(1),
      String(sum(ts.map((t) => t.errors))),
      perProcess.slice(0, 4).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', '),
    ];
  });
  const header = ['commit', 'paid/s', 'p50 ms', 'CPU ms/order', 'errors', 'costliest processes (CPU ms/order)'];
  printColumns([header, ...rows]);
  // Every process's share, to see where a difference between the commits sits.
  const names = [...new Set(trees.flatMap((tree) => Object.keys(turns.get(tree.sha)![0].cpuMsPerOrder)))];
  console.log('\nCPU ms per paid order, by process (medians)\n');
  printColumns([
    ['process', ...trees.map((t) => t.rev)],
    ...names.map((n) => [n, ...trees.map((t) => median(turns.get(t.sha)!.map((turn) => turn.cpuMsPerOrder[n] ?? NaN)).toFixed(2))]),
  ]);
  if (takeCensus) printCensus(trees, turns, names);
}

/** What a browse or events turn prints: its rate, and CPU ms per thousand requests or events by process. */
interface RateTurn {
  perSecond: number;
  errors: number;
  cpuMsPerThousand: Record<string, number>;
}

/** Browse mix or durable events in turns: median rate and CPU, and each round's rate against the first commit's. */
async function compareRates(trees: Tree[]): Promise<void> {
  const unit = load === 'browse' ? 'req' : 'events';
  const turns = new Map<string, RateTurn[]>(trees.map((t) => [t.sha, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const tree of inTurn(trees, round)) {
      const step = load === 'browse' ? ['browse', tree.dataDir, topology, String(seconds)] : ['events', tree.dataDir, '20000'];
      const out = await worker(tree, step);
      const turn = lastJsonLine(out) as RateTurn;
      turns.get(tree.sha)!.push(turn);
      log(`round ${round} ${tree.rev}: ${turn.perSecond.toFixed(0)} ${unit}/s, ${sum(Object.values(turn.cpuMsPerThousand)).toFixed(1)} CPU ms per 1000, ${turn.errors} errors`);
    }
  }
  const what = load === 'browse' ? `${topology}, browse mix, ${seconds} s a turn` : 'durable events in one process, 20,000 a turn';
  console.log(`\n${what}, ${rounds} turn${rounds === 1 ? '' : 's'} each (medians)\n`);
  const first = turns.get(trees[0].sha)!;
  printColumns([
    ['commit', `${unit}/s`, `CPU ms per 1000 ${unit}`, 'errors', `${unit}/s against ${trees[0].rev}, each round`],
    ...trees.map((tree) => {
      const ts = turns.get(tree.sha)!;
      return [
        `${tree.rev} (${tree.sha})`,
        median(ts.map((t) => t.perSecond)).toFixed(0),
        median(ts.map((t) => sum(Object.values(t.cpuMsPerThousand)))).toFixed(1),
        String(sum(ts.map((t) => t.errors))),
        ts.map((t, i) => (t.perSecond / first[i].perSecond).toFixed(3)).join(' '),
      ];
    }),
  ]);
}

/** Promises and timers created per paid order, by process (medians): what the code does, whatever the machine's load. */
function printCensus(trees: Tree[], turns: Map<string, Turn[]>, names: string[]): void {
  console.log('\nCreated per paid order, by process (medians; census runs are slowed by their hook)\n');
  const counted = (t: Tree, process: string | undefined, type: string) =>
    median(turns.get(t.sha)!.map((turn) => sum(Object.entries(turn.asyncPerOrder ?? {}).filter(([n]) => process === undefined || n === process).map(([, c]) => c[type] ?? 0))));
  const rows: string[][] = [];
  for (const n of [...names, undefined]) {
    rows.push([n ?? 'all', ...trees.flatMap((t) => [counted(t, n, 'PROMISE').toFixed(0), counted(t, n, 'Timeout').toFixed(1)])]);
  }
  printColumns([['process', ...trees.flatMap((t) => [`${t.rev} promises`, 'timers'])], ...rows]);
}

function printColumns(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
