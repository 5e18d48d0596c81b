import type { CheckoutFigures } from './checkout.ts';
import type { LoadFigures } from './load.ts';
import type { StorefrontFigures } from './storefront.ts';

/** What `npm run bench` measures of one topology (written by run.ts, printed by report.ts). */
export interface TopologyFigures {
  coldStartS: number;
  /** Resident memory of all the topology's processes right after start, and after the load phases. */
  rssReadyMb: number;
  rssMb: number;
  browse: LoadFigures;
  checkout: CheckoutFigures;
  extracted?: { module: string; coldStartS: number; rssMb: number };
  /** On PostgreSQL, what one paid order cost the database in the checkout phase: commits, rollbacks (conflicts run again), rows written, events (outbox rows). */
  dbPerOrder?: { commits: number; rollbacks: number; rowsWritten: number; events: number };
}

/** One run of the benchmark: bench/results/<date>.json holds these, and more. */
export interface Results {
  machine: { cpus: number; cpuModel?: string; memoryGb: number; node: string };
  sizes: { products: number; users: number; seconds: number; warmupSeconds: number };
  ceiling: LoadFigures;
  monolith: TopologyFigures;
  split: TopologyFigures;
  /** The SQLite monolith with tracing on (BENCH_TRACING), measured like `monolith`; `spans`: how many its OTLP exporter delivered. */
  monolithTraced?: TopologyFigures & { spans: number };
  /** The storefront's pages in the SQLite monolith with the Online Boutique catalog (BENCH_STOREFRONT). */
  storefront?: StorefrontFigures;
  /** The monolith on PostgreSQL (BENCH_POSTGRES), measured like `monolith`. */
  monolithPostgres?: TopologyFigures;
  /** split-all on PostgreSQL, measured like `split`. */
  splitPostgres?: TopologyFigures;
  /** split-all on PostgreSQL with two replicas of each saga module. */
  splitPostgresReplicas?: TopologyFigures;
  kernel: { contractCallUs: number; plainCallUs: number; eventsPerSecondInProcess: number; eventsPerSecondNats: number };
}
