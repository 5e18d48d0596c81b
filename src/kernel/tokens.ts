/**
 * What the kernel puts in every module's container. A module resolves these, its own classes,
 * and the public interfaces (by `contract.token`) of the modules it declares in `uses` — nothing
 * else is visible to it.
 */
export const Kernel = {
  /** drizzle database over the module's own SQLite file. */
  Db: Symbol.for('cleave.kernel.Db'),
  /** The raw better-sqlite3 connection of the module's own file (prepared statements on hot paths). */
  Sqlite: Symbol.for('cleave.kernel.Sqlite'),
  /** The module's outbox: publish its events inside a transaction. */
  Outbox: Symbol.for('cleave.kernel.Outbox'),
  /** A pino logger bound to the module's name. */
  Logger: Symbol.for('cleave.kernel.Logger'),
  /** The validated process configuration. */
  Config: Symbol.for('cleave.kernel.Config'),
  /** `(options) => ReadCache`: caches answers computed from the module's own tables (persistence/read-cache.ts). */
  ReadCaches: Symbol.for('cleave.kernel.ReadCaches'),
  /** Issues and verifies access tokens. */
  Tokens: Symbol.for('cleave.kernel.Tokens'),
} as const;
