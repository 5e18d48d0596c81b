/**
 * One step of `npm run bench:compare` (bench/compare.ts), run with the working directory in the
 * commit being measured: everything it starts and drives (the topology launcher, the seed, the
 * checkout load) is imported from that commit's tree, so each commit is measured by its own code.
 *
 *   prepare <dataDir> <products> <customers>   seeds the shop and registers customers (monolith)
 *   run <dataDir> <topology> <seconds> <customers> [census]   checkout load; prints one JSON line
 *   browse <dataDir> <topology> <seconds>      the browse mix (3 s warm-up first); prints one JSON line
 *   events <dataDir> <count>                   durable events in one process (bench/kernel.ts), after a
 *                                              tenth as many to warm up; one JSON line
 *
 * The JSON line holds the checkout figures and the CPU time each process of the topology spent
 * per paid order (user + system, from /proc): it moves less than req/s with what else the machine
 * is doing. With `census`, each shop process also counts the async resources it creates
 * (bench/async-census.cjs), and the line holds promises and timers per paid order: counts, which
 * do not move with the machine at all.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const tree = process.cwd();
const fromTree = (path: string) => import(join(tree, path));

const [step, dataDir, ...rest] = process.argv.slice(2);
const { launchTopology } = await fromTree('tools/topology/launch.ts');
const { BUILD_ENTRY } = await fromTree('tools/topology/spec.ts');
const { shopEnv } = await fromTree('bench/shop-env.ts');
const { uniqueNamespace, dropNamespace } = await fromTree('tools/nats-namespaces.ts');
const namespace = uniqueNamespace('compare');
const env = shopEnv(dataDir, namespace);
const fixtureFile = join(dataDir, 'compare-fixture.json');

interface Launched {
  gatewayUrl: string;
  processes: Map<string, { pid: number | undefined }>;
  stop(): Promise<void>;
}
const CENSUS_PRELOAD = fileURLToPath(new URL('./async-census.cjs', import.meta.url));
/** The topology from this commit's build; with `censusDir`, every process counts its async resources. */
const launch = (topology: string, censusDir?: string): Promise<Launched> =>
  launchTopology(topology, {
    env: censusDir ? { ...env, CLEAVE_CENSUS_DIR: censusDir } : env,
    basePort: 'free',
    output: () => {},
    entry: censusDir ? ['--require', CENSUS_PRELOAD, ...BUILD_ENTRY] : BUILD_ENTRY,
  });

/** Async resources each process has created so far, by type (PROMISE, Timeout, ...): asks each for its counts. */
async function census(processes: Map<string, { pid: number | undefined }>, dir: string): Promise<Map<string, Record<string, number>>> {
  const counts = new Map<string, Record<string, number>>();
  for (const [name, p] of processes) {
    const file = join(dir, `${p.pid}.json`);
    rmSync(file, { force: true });
    process.kill(p.pid!, 'SIGUSR2');
    for (let waited = 0; !existsSync(file); waited += 20) {
      if (waited > 5_000) throw new Error(`${name} (pid ${p.pid}) wrote no async census: was it started with bench/async-census.cjs?`);
      await sleep(20);
    }
    counts.set(name, JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>);
  }
  return counts;
}

/** What each process created between two censuses, per paid order. */
function perOrderDelta(before: Map<string, Record<string, number>>, after: Map<string, Record<string, number>>, orders: number): Record<string, Record<string, number>> {
  return Object.fromEntries(
    [...after].map(([name, counts]) => [name, Object.fromEntries(Object.entries(counts).map(([type, n]) => [type, (n - (before.get(name)?.[type] ?? 0)) / orders]))]),
  );
}

/** CPU milliseconds (user + system) each process has used so far. */
function cpuMs(processes: Map<string, { pid: number | undefined }>): Map<string, number> {
  const used = new Map<string, number>();
  for (const [name, p] of processes) {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    used.set(name, (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return used;
}

try {
  if (step === 'prepare') {
    const [products, customers] = rest.map(Number);
    const { run } = await fromTree('bench/processes.ts');
    const { createCustomers, readCatalog } = await fromTree('bench/fixtures.ts');
    await run(['dist/src/seed.js', '--products', String(products)], env);
    const shop = await launch('monolith');
    try {
      const registered = await createCustomers(shop.gatewayUrl, customers);
      const catalog = await readCatalog(shop.gatewayUrl, registered);
      writeFileSync(fixtureFile, JSON.stringify({ customers: registered, productIds: catalog.productIds }));
    } finally {
      await shop.stop();
    }
  } else if (step === 'run') {
    const [topology, seconds, customerCount] = [rest[0], Number(rest[1]), Number(rest[2])];
    const censusDir = rest[3] === 'census' ? mkdtempSync(join(tmpdir(), 'cleave-census-')) : undefined;
    const { driveCheckouts } = await fromTree('bench/checkout.ts');
    const { customers, productIds } = JSON.parse(readFileSync(fixtureFile, 'utf8'));
    const shop = await launch(topology, censusDir);
    try {
      const countedBefore = censusDir ? await census(shop.processes, censusDir) : undefined;
      const before = cpuMs(shop.processes);
      const figures = await driveCheckouts(shop.gatewayUrl, customers.slice(0, customerCount), productIds, seconds);
      const after = cpuMs(shop.processes);
      const countedAfter = censusDir ? await census(shop.processes, censusDir) : undefined;
      const perOrder = Object.fromEntries([...after].map(([name, ms]) => [name, (ms - before.get(name)!) / figures.ordersPaid]));
      const asyncPerOrder = countedBefore && countedAfter ? perOrderDelta(countedBefore, countedAfter, figures.ordersPaid) : undefined;
      console.log(JSON.stringify({ ...figures, cpuMsPerOrder: perOrder, asyncPerOrder }));
    } finally {
      await shop.stop();
      if (censusDir) rmSync(censusDir, { recursive: true, force: true });
    }
  } else if (step === 'browse') {
    const [topology, seconds] = [rest[0], Number(rest[1])];
    const { drive, browseMix } = await fromTree('bench/load.ts');
    const { readCatalog } = await fromTree('bench/fixtures.ts');
    const { customers } = JSON.parse(readFileSync(fixtureFile, 'utf8'));
    const shop = await launch(topology);
    try {
      const requests = browseMix(await readCatalog(shop.gatewayUrl, customers));
      await drive(shop.gatewayUrl, 3, requests);
      const before = cpuMs(shop.processes);
      const figures = await drive(shop.gatewayUrl, seconds, requests);
      const after = cpuMs(shop.processes);
      const perThousand = Object.fromEntries([...after].map(([name, ms]) => [name, ((ms - before.get(name)!) * 1000) / figures.requests]));
      console.log(JSON.stringify({ perSecond: figures.requestsPerSecond, errors: figures.errors, cpuMsPerThousand: perThousand }));
    } finally {
      await shop.stop();
    }
  } else if (step === 'events') {
    const count = Number(rest[0]);
    const { measureEvents } = await fromTree('bench/kernel.ts');
    // A warm-up run first, as the browse load has: the figure is the steady rate of a running
    // shop, not how soon V8 compiles each commit's event path.
    await measureEvents(Math.ceil(count / 10));
    const before = process.cpuUsage();
    const { eventsPerSecond } = await measureEvents(count);
    const used = process.cpuUsage(before);
    const cpuMsPerThousand = { 'kernel (one process)': (used.user + used.system) / count };
    console.log(JSON.stringify({ perSecond: eventsPerSecond, errors: 0, cpuMsPerThousand }));
  } else {
    throw new Error(`unknown step ${step}: prepare, run, browse or events`);
  }
} finally {
  await dropNamespace(namespace).catch(() => undefined);
}
process.exit(0);
