/**
 * `npm run bench:endpoints [-- --profile] [-- --checkout]`: where the monolith spends its time.
 * Starts the compiled monolith on a seeded catalog, drives each page of the browse mix alone and
 * then the mix, and prints req/s and latencies per page; --checkout only runs the checkout load
 * instead (32 customers ordering with tok_visa). With --profile the shop runs under
 * `node --cpu-prof` and the functions that took the most CPU are printed; the profile is kept in
 * bench/profiles/ (open it in Chrome DevTools > Performance). Sizes: BENCH_PRODUCTS (10000),
 * BENCH_USERS (200), BENCH_SECONDS (8 per page, after 2 s of warm-up).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../tools/temp-dirs.ts';
import { launchTopology } from '../tools/topology/launch.ts';
import { BUILD_ENTRY } from '../tools/topology/spec.ts';
import { summariseCpuProfile } from './cpu-profile.ts';
import { driveCheckouts } from './checkout.ts';
import { createCustomers, readCatalog } from './fixtures.ts';
import { browseMix, browsePages, drive } from './load.ts';
import { run } from './processes.ts';
import { shopEnv } from './shop-env.ts';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PROFILE = process.argv.includes('--profile');
const CHECKOUT = process.argv.includes('--checkout');
const PROFILES = 'bench/profiles';

const log = (message: string) => console.error(`[bench:endpoints] ${message}`);

async function main(): Promise<void> {
  log('npm run build');
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  const dataDir = tempDataDir('cleave-bench-endpoints-');
  const env = shopEnv(dataDir, `bench-endpoints-${process.pid}`);
  log(`seeding ${PRODUCTS} products`);
  await run(['dist/src/seed.js', '--products', String(PRODUCTS)], env);

  mkdirSync(PROFILES, { recursive: true });
  const startedAt = Date.now();
  const entry = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`, ...BUILD_ENTRY] : BUILD_ENTRY;
  const shop = await launchTopology('monolith', { env, basePort: 'free', output: () => {}, entry });
  const rows: string[][] = [];
  try {
    log(`registering ${USERS} customers`);
    const customers = await createCustomers(shop.gatewayUrl, USERS);
    const fixture = await readCatalog(shop.gatewayUrl, customers);
    if (CHECKOUT) {
      const pid = shop.processes.values().next().value!.pid!;
      const cpuBefore = cpuSecondsOf(pid);
      const figures = await driveCheckouts(shop.gatewayUrl, customers.slice(0, 32), fixture.productIds, SECONDS);
      const cpuMsPerOrder = ((cpuSecondsOf(pid) - cpuBefore) * 1000) / figures.ordersPaid;
      rows.push(['checkout (paid orders/s; ms to paid)', figures.paidPerSecond.toFixed(0), figures.p50ToPaidMs.toFixed(0), figures.p99ToPaidMs.toFixed(0), String(figures.errors)]);
      // CPU per order hardly moves when other programs share the cores, unlike orders per second.
      log(`checkout: ${cpuMsPerOrder.toFixed(2)} ms of the shop's CPU per paid order (${figures.ordersPaid} orders)`);
    }
    for (const page of CHECKOUT ? [] : [...browsePages(fixture).map((p) => p.name), undefined]) {
      const requests = browseMix(fixture, page);
      await drive(shop.gatewayUrl, 2, requests);
      const figures = await drive(shop.gatewayUrl, SECONDS, requests);
      rows.push([page ?? 'the mix', figures.requestsPerSecond.toFixed(0), figures.p50Ms.toFixed(2), figures.p99Ms.toFixed(2), String(figures.errors)]);
      log(`${rows.at(-1)![0]}: ${rows.at(-1)![1]} req/s`);
    }
  } finally {
    await shop.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const header = ['load', 'req/s', 'p50 ms', 'p99 ms', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\nA monolith with ${PRODUCTS} products, ${SECONDS} s per load${CHECKOUT ? '' : ' after 2 s of warm-up'}\n`);
  for (const row of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(line(row));
  if (PROFILE) {
    const written = readdirSync(PROFILES)
      .map((name) => join(PROFILES, name))
      .filter((file) => file.endsWith('.cpuprofile') && statSync(file).mtimeMs >= startedAt);
    for (const file of written) console.log(`\n${summariseCpuProfile(file).join('\n')}`);
  }
}

/** CPU seconds (user + system) a Linux process has used so far, from /proc/<pid>/stat. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat(5), counted here from field 3; clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
