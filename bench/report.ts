import type { Results, TopologyFigures } from './results.ts';

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const ratio = (split: number, mono: number) => (Number.isFinite(split / mono) ? `${(split / mono).toFixed(2)}x` : '-');

/** The figures printed side by side when one shop is compared with another (tracing on, PostgreSQL). */
const SIDE_BY_SIDE: Array<[string, (t: TopologyFigures) => number, number]> = [
  ['browse mix req/s', (t) => t.browse.requestsPerSecond, 0],
  ['browse mix p99 ms', (t) => t.browse.p99Ms, 2],
  ['checkout orders paid/s', (t) => t.checkout.paidPerSecond, 1],
  ['checkout p99 to paid ms', (t) => t.checkout.p99ToPaidMs, 0],
  ['errors', (t) => t.checkout.errors + t.browse.errors, 0],
];

/** A target of the performance issue: its wording, and whether the figure meets it. */
const target = (wording: string, met: boolean) => `${wording} ${met ? 'met' : 'MISSED'}`;

/** Prints the benchmark table: monolith, split-all, split/monolith, and the target each figure has. */
export function printTable(r: Results): void {
  const m = r.monolith;
  const s = r.split;
  const share = (100 * m.browse.requestsPerSecond) / r.ceiling.requestsPerSecond;
  const rows: Array<[string, string, string, string, string]> = [
    ['browse mix req/s', f(m.browse.requestsPerSecond), f(s.browse.requestsPerSecond), ratio(s.browse.requestsPerSecond, m.browse.requestsPerSecond), ''],
    ['browse mix p50 ms', f(m.browse.p50Ms, 2), f(s.browse.p50Ms, 2), ratio(s.browse.p50Ms, m.browse.p50Ms), target('split <= 4x', s.browse.p50Ms <= 4 * m.browse.p50Ms)],
    ['browse mix p99 ms', f(m.browse.p99Ms, 2), f(s.browse.p99Ms, 2), ratio(s.browse.p99Ms, m.browse.p99Ms), target('< 50', m.browse.p99Ms < 50)],
    ['browse mix errors', f(m.browse.errors), f(s.browse.errors), '', target('0', m.browse.errors + s.browse.errors === 0)],
    ['browse / express ceiling', `${f(share)}%`, `${f((100 * s.browse.requestsPerSecond) / r.ceiling.requestsPerSecond)}%`, '', target('>= 40%', share >= 40)],
    ['checkout orders paid/s', f(m.checkout.paidPerSecond, 1), f(s.checkout.paidPerSecond, 1), ratio(s.checkout.paidPerSecond, m.checkout.paidPerSecond), target('>= 300', m.checkout.paidPerSecond >= 300)],
    ['checkout p50 to paid ms', f(m.checkout.p50ToPaidMs), f(s.checkout.p50ToPaidMs), ratio(s.checkout.p50ToPaidMs, m.checkout.p50ToPaidMs), ''],
    ['checkout p99 to paid ms', f(m.checkout.p99ToPaidMs), f(s.checkout.p99ToPaidMs), ratio(s.checkout.p99ToPaidMs, m.checkout.p99ToPaidMs), target('< 250', m.checkout.p99ToPaidMs < 250)],
    ['checkout orders / errors', `${m.checkout.ordersPaid} / ${m.checkout.errors}`, `${s.checkout.ordersPaid} / ${s.checkout.errors}`, '', target('0 errors', m.checkout.errors + s.checkout.errors === 0)],
    ['cold start to ready s', f(m.coldStartS, 2), f(s.coldStartS, 2), ratio(s.coldStartS, m.coldStartS), target('< 2', m.coldStartS < 2)],
    ['RSS MB at ready (all processes)', f(m.rssReadyMb), f(s.rssReadyMb), ratio(s.rssReadyMb, m.rssReadyMb), target('< 200', m.rssReadyMb < 200)],
    ['RSS MB after load (all processes)', f(m.rssMb), f(s.rssMb), ratio(s.rssMb, m.rssMb), ''],
    [`one extracted module (${s.extracted?.module}): start s / RSS MB`, '', `${f(s.extracted?.coldStartS ?? NaN, 2)} / ${f(s.extracted?.rssMb ?? NaN)}`, '', ''],
    ['contract call µs (plain fn µs)', `${f(r.kernel.contractCallUs, 2)} (${f(r.kernel.plainCallUs, 2)})`, '', '', target('< 5', r.kernel.contractCallUs < 5)],
    ['durable events publish->handled /s', f(r.kernel.eventsPerSecondInProcess), f(r.kernel.eventsPerSecondNats), ratio(r.kernel.eventsPerSecondNats, r.kernel.eventsPerSecondInProcess), target('>= 10000', r.kernel.eventsPerSecondInProcess >= 10_000)],
  ];
  const header = ['figure', 'monolith', 'split-all', 'split/mono', 'target (issue 7)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\nCleave benchmark: ${r.sizes.products} products, ${r.sizes.users} customers, ${r.sizes.seconds} s per load phase (browse after ${r.sizes.warmupSeconds} s of warm-up)`);
  console.log(`Machine: ${r.machine.cpus} x ${r.machine.cpuModel ?? 'cpu'}, ${r.machine.memoryGb} GiB, Node ${r.machine.node} (load generator on the same cores)`);
  console.log(`express hello-world ceiling: ${f(r.ceiling.requestsPerSecond)} req/s, p99 ${f(r.ceiling.p99Ms, 2)} ms\n`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  const t = r.monolithTraced;
  if (t) {
    console.log('\nTracing (OpenTelemetry, every span exported over OTLP/HTTP) in the SQLite monolith, beside tracing off:');
    console.log('| figure | tracing off | tracing on | on/off |');
    console.log('|---|---|---|---|');
    for (const [name, read, digits] of SIDE_BY_SIDE) console.log(`| ${name} | ${f(read(m), digits)} | ${f(read(t), digits)} | ${ratio(read(t), read(m))} |`);
    console.log(`| spans exported (whole run, warm-up included) | - | ${t.spans} | |`);
  }
  const sf = r.storefront;
  if (sf) {
    console.log('\nStorefront (web pages, SQLite monolith, Online Boutique catalog), beside the API browse mix:');
    console.log('| figure | req/s | p50 ms | p99 ms | errors |');
    console.log('|---|---|---|---|---|');
    console.log(`| API browse mix (above) | ${f(m.browse.requestsPerSecond)} | ${f(m.browse.p50Ms, 2)} | ${f(m.browse.p99Ms, 2)} | ${m.browse.errors} |`);
    console.log(`| pages: home 1, product 10, cart 3 | ${f(sf.pages.requestsPerSecond)} | ${f(sf.pages.p50Ms, 2)} | ${f(sf.pages.p99Ms, 2)} | ${sf.pages.errors} |`);
    const b = sf.boutique;
    console.log(`| Online Boutique visitor mix, ${b.visitors} visitors (${f(b.checkoutsPerSecond, 1)} checkouts/s) | ${f(b.requestsPerSecond)} | ${f(b.p50Ms, 2)} | ${f(b.p99Ms, 2)} | ${b.errors} |`);
  }
  const p = r.monolithPostgres;
  const sp = r.splitPostgres;
  const sr = r.splitPostgresReplicas;
  if (p && sp && sr) {
    console.log('\nPostgreSQL (same seed, same load), beside SQLite; the last column has two replicas of each saga module:');
    console.log(`| figure | monolith SQLite | monolith PostgreSQL | split-all SQLite | split-all PostgreSQL | split-all PostgreSQL, saga x2 |`);
    console.log(`|---|---|---|---|---|---|`);
    const pg: typeof SIDE_BY_SIDE = [...SIDE_BY_SIDE, ['cold start to ready s', (t) => t.coldStartS, 2]];
    for (const [name, read, digits] of pg) console.log(`| ${name} | ${[m, p, s, sp, sr].map((t) => f(read(t), digits)).join(' | ')} |`);
    const cost = (t: typeof m) => t.dbPerOrder;
    const perOrder: Array<[string, (c: NonNullable<ReturnType<typeof cost>>) => number]> = [
      ['PostgreSQL commits per paid order', (c) => c.commits],
      ['PostgreSQL rollbacks per paid order', (c) => c.rollbacks],
      ['rows written per paid order', (c) => c.rowsWritten],
      ['events per paid order', (c) => c.events],
    ];
    for (const [name, read] of perOrder) console.log(`| ${name} | - | ${[p, s, sp, sr].map((t, i) => (i === 1 ? '-' : f(cost(t) ? read(cost(t)!) : NaN, 1))).join(' | ')} |`);
  }
}
