/**
 * How a cache learns that its tables changed, one per engine: `version()` is cheap and moves
 * whenever committed data the cache watches may have moved (read-cache-sqlite.ts,
 * read-cache-postgres.ts). `ready` settles once the engine's triggers are in place.
 */
export interface CacheFreshness {
  readonly ready: Promise<void>;
  version(): number;
}
