/**
 * `npm run bench`: starts what it needs (the express ceiling, the monolith, the split-all topology
 * over NATS), drives HTTP load from this process, and prints one table plus
 * bench/results/<date>.json. Sizes: BENCH_PRODUCTS (10000), BENCH_USERS (1000), BENCH_SECONDS (15),
 * BENCH_WARMUP_SECONDS (5, browse mix only). BENCH_POSTGRES (true): also the monolith and split-all
 * on PostgreSQL (a database of their own on BENCH_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, dropped afterwards), beside the SQLite figures, and
 * checkout in split-all with two replicas of each saga module (order-taking, order-processing,
 * payment, warehouse) against one of each. BENCH_TRACING (true): the SQLite monolith once more with
 * OpenTelemetry tracing on, exporting every span over OTLP to a receiver in this process, beside
 * the same monolith with tracing off. BENCH_STOREFRONT (true): the monolith with the Online Boutique
 * catalog, its web pages under autocannon and Online Boutique's visitor mix (tools/boutique-load.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import postgres from 'postgres';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dropNamespace, uniqueNamespace } from '../tools/nats-namespaces.ts';
import { OtlpReceiver } from '../tools/otlp-receiver.ts';
import { tempDataDir } from '../tools/temp-dirs.ts';
import { launchTopology, type RunningTopology } from '../tools/topology/launch.ts';
import { BUILD_ENTRY, type TopologySpec } from '../tools/topology/spec.ts';
import { moduleNames } from '../src/app/modules.ts';
import { driveCheckouts, type Customer } from './checkout.ts';
import { createCustomers, readCatalog } from './fixtures.ts';
import { measureCalls, measureEvents } from './kernel.ts';
import { natsTransportPair } from './nats-pair.ts';
import { browseMix, drive, type BrowseFixture } from './load.ts';
import { rssMb, run, startHello } from './processes.ts';
import { printTable } from './report.ts';
import { measureStorefront } from './storefront.ts';
import type { Results, TopologyFigures } from './results.ts';
import { shopEnv } from './shop-env.ts';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const USERS = Number(process.env.BENCH_USERS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);

const POSTGRES = (process.env.BENCH_POSTGRES ?? 'true') === 'true';
const TRACING = (process.env.BENCH_TRACING ?? 'true') === 'true';
const STOREFRONT = (process.env.BENCH_STOREFRONT ?? 'true') === 'true';
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const log = (message: string) => console.error(`[bench] ${message}`);

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}

async function measureTopology(
  name: string,
  env: Record<string, string | undefined>,
  prepare: (url: string) => Promise<{ fixture: BrowseFixture; customers: Customer[] }>,
  spec?: TopologySpec,
  /** Reads the database's counters (PostgreSQL): what a paid order costs it is measured around the checkout phase. */
  dbCounters?: () => Promise<DbCounters>,
): Promise<TopologyFigures> {
  log(`${name}: starting`);
  const [topology, coldStartS] = await timed(() => launchTopology(spec ?? name, { env, basePort: 'free', output: () => {}, entry: BUILD_ENTRY }));
  const totalRss = () => [...topology.processes.values()].reduce((sum, p) => sum + rssMb(p.pid), 0);
  const rssReadyMb = totalRss();
  try {
    const { fixture, customers } = await prepare(topology.gatewayUrl);
    // A shop runs warm: the first seconds fill the read caches and the JIT, and are not counted.
    log(`${name}: browse mix, ${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured`);
    await drive(topology.gatewayUrl, WARMUP_SECONDS, browseMix(fixture));
    const browse = await drive(topology.gatewayUrl, SECONDS, browseMix(fixture));
    log(`${name}: checkout for ${SECONDS} s`);
    const before = await dbCounters?.();
    const checkout = await driveCheckouts(topology.gatewayUrl, customers.slice(0, 32), fixture.productIds, SECONDS);
    const after = await dbCounters?.();
    const dbPerOrder = before && after ? perOrder(before, after, checkout.ordersPaid) : undefined;
    const rss = totalRss();
    const extracted = name === 'split-all' ? await restartOne(topology, 'payment') : undefined;
    return { coldStartS, rssReadyMb, rssMb: rss, browse, checkout, extracted, dbPerOrder };
  } finally {
    await topology.stop();
  }
}

/** PostgreSQL's cumulative counters for one database (pg_stat_database, pg_stat_user_tables). */
interface DbCounters {
  commits: number;
  rollbacks: number;
  rowsWritten: number;
  events: number;
}

/** What each paid order cost the database between two readings of its counters. */
function perOrder(before: DbCounters, after: DbCounters, orders: number): NonNullable<TopologyFigures['dbPerOrder']> {
  const per = (k: keyof DbCounters) => (after[k] - before[k]) / orders;
  return { commits: per('commits'), rollbacks: per('rollbacks'), rowsWritten: per('rowsWritten'), events: per('events') };
}

async function readDbCounters(admin: postgres.Sql, database: string, url: string): Promise<DbCounters> {
  // The statistics are flushed by each backend about once a second.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const [db] = await admin<Array<{ commits: string; rollbacks: string }>>`SELECT xact_commit AS commits, xact_rollback AS rollbacks FROM pg_stat_database WHERE datname = ${database}`;
  const conn = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [t] = await conn<Array<{ written: string | null; events: string | null }>>`
      SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) AS written, sum(n_tup_ins) FILTER (WHERE relname = 'kernel_outbox') AS events FROM pg_stat_user_tables`;
    return { commits: Number(db.commits), rollbacks: Number(db.rollbacks), rowsWritten: Number(t.written ?? 0), events: Number(t.events ?? 0) };
  } finally {
    await conn.end();
  }
}

/** The modules of the checkout saga: the ones that get a second replica in the replicas run. */
const SAGA_MODULES = ['order-taking', 'order-processing', 'payment', 'warehouse'];

/** split-all with two processes for each saga module (each with its own DATA_DIR is not needed: PostgreSQL holds the data). */
const sagaReplicas: TopologySpec = {
  description: 'split-all with two replicas of each saga module',
  processes: [
    { name: 'gateway', modules: [], gateway: true },
    ...moduleNames.flatMap((m) => (SAGA_MODULES.includes(m) ? [{ name: `${m}-1`, modules: [m] }, { name: `${m}-2`, modules: [m] }] : [{ name: m, modules: [m] }])),
  ],
};

/** Cold start and footprint of one extracted module: stop it and start it again. */
async function restartOne(topology: RunningTopology, module: string): Promise<TopologyFigures['extracted']> {
  const process = topology.processes.get(module)!;
  await process.stop();
  const [, coldStartS] = await timed(async () => {
    process.start();
    await process.waitReady();
  });
  return { module, coldStartS, rssMb: rssMb(process.pid) };
}

/**
 * The monolith with tracing on: every span exported over OTLP/HTTP to a receiver in this process
 * (it counts them, as a collector would take them), so the figure includes the exporter's work.
 */
async function measureTraced(env: Record<string, string | undefined>, prepared: { fixture: BrowseFixture; customers: Customer[] }): Promise<Pick<Results, 'monolithTraced'>> {
  const receiver = await OtlpReceiver.start({ keep: false });
  try {
    const figures = await measureTopology('monolith, traced', { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }, async () => prepared, TRACED_MONOLITH);
    return { monolithTraced: { ...figures, spans: receiver.count } };
  } finally {
    await receiver.close();
  }
}

/** The monolith topology under another name, so its spans say what they are. */
const TRACED_MONOLITH: TopologySpec = { description: 'the monolith, traced', processes: [{ name: 'shop', modules: 'all', gateway: true }] };

/** The shop on a PostgreSQL database of its own, seeded as the SQLite one: the monolith, split-all, and split-all with saga replicas. */
async function measureOnPostgres(namespace: string): Promise<Pick<Results, 'monolithPostgres' | 'splitPostgres' | 'splitPostgresReplicas'>> {
  const name = `cleave_bench_${Date.now()}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const dataDir = tempDataDir('cleave-bench-pg-');
  try {
    const env = { ...shopEnv(dataDir, `${namespace}pg`), DATABASE_URL: url.toString() };
    log(`PostgreSQL: seeding ${PRODUCTS} products into ${name}`);
    await run(['dist/src/seed.js', '--products', String(PRODUCTS)], env);
    let customers: Customer[] = [];
    let fixture: BrowseFixture | undefined;
    const monolithPostgres = await measureTopology(
      'monolith',
      env,
      async (gateway) => {
        log(`PostgreSQL: registering ${USERS} customers`);
        customers = await createCustomers(gateway, USERS);
        fixture = await readCatalog(gateway, customers);
        return { fixture, customers };
      },
      undefined,
      () => readDbCounters(admin, name, url.toString()),
    );
    const same = async () => ({ fixture: fixture!, customers });
    const counters = () => readDbCounters(admin, name, url.toString());
    const splitPostgres = await measureTopology('split-all', env, same, undefined, counters);
    const splitPostgresReplicas = await measureTopology('split-all, saga modules x2', env, same, sagaReplicas, counters);
    return { monolithPostgres, splitPostgres, splitPostgresReplicas };
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // Measured as deployed: compiled JavaScript (the Dockerfile runs the same build), not tsx.
  log('npm run build');
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  log('express hello-world ceiling');
  const hello = await startHello();
  const ceiling = await drive(hello.url, Math.min(SECONDS, 10));
  hello.stop();

  const dataDir = tempDataDir('cleave-bench-');
  const namespace = uniqueNamespace('bench');
  const env = shopEnv(dataDir, namespace);
  log(`seeding ${PRODUCTS} products into ${dataDir}`);
  const [, seedS] = await timed(() => run(['dist/src/seed.js', '--products', String(PRODUCTS)], env));

  let customers: Customer[] = [];
  let fixture: BrowseFixture | undefined;
  const monolith = await measureTopology('monolith', env, async (url) => {
    log(`registering ${USERS} customers`);
    customers = await createCustomers(url, USERS);
    fixture = await readCatalog(url, customers);
    return { fixture, customers };
  });
  const split = await measureTopology('split-all', env, async () => ({ fixture: fixture!, customers }));
  const traced = TRACING ? await measureTraced(env, { fixture: fixture!, customers }) : {};
  const storefront = STOREFRONT ? { storefront: await measureStorefront(env, SECONDS, WARMUP_SECONDS, log) } : {};
  const onPostgres = POSTGRES ? await measureOnPostgres(namespace) : {};

  log('kernel: calls and durable events');
  const calls = await measureCalls();
  const eventsInProcess = await measureEvents(20_000);
  const kernelNamespace = uniqueNamespace('benchk');
  const eventsNats = await measureEvents(5_000, () => natsTransportPair(kernelNamespace));
  for (const ns of [namespace, kernelNamespace]) await dropNamespace(ns).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    sizes: { products: PRODUCTS, users: USERS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, seedSeconds: seedS },
    ceiling,
    monolith,
    split,
    ...traced,
    ...storefront,
    ...onPostgres,
    kernel: { ...calls, eventsPerSecondInProcess: eventsInProcess.eventsPerSecond, eventsPerSecondNats: eventsNats.eventsPerSecond },
    totalSeconds: (Date.now() - started) / 1000,
  };
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${results.date.slice(0, 10)}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  console.log(`\nFull figures: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
