/**
 * How a cache learns that its tables changed, one per engine: `version()` is cheap and moves
 * whenever committed data the cache watches may have moved (read-cache-sqlite.ts,
 * read-cache-postgres.ts). `ready` settles once the engine's triggers are in place.
 */
export interface CacheFreshness {
  readonly ready: Promise<void>;
  version(): number;
}

/** PostgreSQL: the channel every module's cache triggers notify on; the payload is `<schema>.<scope>`. */
export const CACHE_CHANNEL = 'cleave_read_cache';

/** PostgreSQL: the transaction-local setting the cache triggers list changed scopes in (`,scope,scope`). */
export const CHANGED_SETTING = 'cleave.cache_changed';
