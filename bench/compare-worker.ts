/**
 * One step of `npm run bench:compare` (bench/compare.ts), run with the working directory in the
 * commit being measured: everything it starts and drives (the topology launcher, the seed, the
 * checkout load) is imported from that commit's tree, so each commit is measured by its own code.
 *
 *   prepare <dataDir> <products> <customers>   seeds the shop and registers customers (monolith)
 *   run <dataDir> <topology> <seconds> <customers>   checkout load; prints one JSON line
 *
 * The JSON line holds the checkout figures and the CPU time each process of the topology spent
 * per paid order (user + system, from /proc): unlike req/s it does not move with what else the
 * machine is doing, only with the work an order costs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
const launch = (topology: string): Promise<Launched> => launchTopology(topology, { env, basePort: 'free', output: () => {}, entry: BUILD_ENTRY });

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
    const { driveCheckouts } = await fromTree('bench/checkout.ts');
    const { customers, productIds } = JSON.parse(readFileSync(fixtureFile, 'utf8'));
    const shop = await launch(topology);
    try {
      const before = cpuMs(shop.processes);
      const figures = await driveCheckouts(shop.gatewayUrl, customers.slice(0, customerCount), productIds, seconds);
      const after = cpuMs(shop.processes);
      const perOrder = Object.fromEntries([...after].map(([name, ms]) => [name, (ms - before.get(name)!) / figures.ordersPaid]));
      console.log(JSON.stringify({ ...figures, cpuMsPerOrder: perOrder }));
    } finally {
      await shop.stop();
    }
  } else {
    throw new Error(`unknown step ${step}: prepare or run`);
  }
} finally {
  await dropNamespace(namespace).catch(() => undefined);
}
process.exit(0);
