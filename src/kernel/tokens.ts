/**
 * What the kernel puts in every module's container. A module resolves these, its own classes,
 * and the public interfaces (by `contract.token`) of the modules it declares in `uses` — nothing
 * else is visible to it.
 */
export const Kernel = {
  /**
   * The module's own database (`ModuleDb`, persistence/sql.ts), SQLite or PostgreSQL: stores build
   * queries on it, open transactions with it, and publish events with `tx.publish`.
   */
  Db: Symbol.for('cleave.kernel.Db'),
  /** A pino logger bound to the module's name. */
  Logger: Symbol.for('cleave.kernel.Logger'),
  /** The validated process configuration. */
  Config: Symbol.for('cleave.kernel.Config'),
  /** `(options) => ReadCache`: caches answers computed from the module's own tables (persistence/read-cache.ts). */
  ReadCaches: Symbol.for('cleave.kernel.ReadCaches'),
  /** `ModuleMetrics` (metrics.ts): counters of the module's own, exported at /metrics. */
  Metrics: Symbol.for('cleave.kernel.Metrics'),
  /** Issues and verifies access tokens. */
  Tokens: Symbol.for('cleave.kernel.Tokens'),
} as const;
