import { LRUCache } from 'lru-cache';
import { deepFreeze } from '../validation.ts';
import type { Metrics } from '../metrics.ts';
import type { CacheFreshness } from './cache-freshness.ts';
import { PostgresModuleDb } from './postgres-db.ts';
import { postgresFreshness } from './read-cache-postgres.ts';
import { sqliteFreshness } from './read-cache-sqlite.ts';
import type { ModuleDb } from './sql.ts';
import { SqliteModuleDb } from './sqlite-db.ts';

export interface ReadCacheOptions {
  /** Names the cache's change signal (triggers, counter); unique within the module's database. */
  scope: string;
  /** The module's own tables the cached answers are computed from. */
  tables: string[];
  /** Answers kept at most (least recently used go first). */
  maxEntries: number;
  /** False: every read computes its answer (READ_CACHES=false); answers are frozen all the same. */
  enabled?: boolean;
}

/** Counts lookups (the kernel wires these to the read_cache_lookups_total metric). */
export interface ReadCacheCounters {
  hit(count: number): void;
  miss(count: number): void;
}

/** Made per module by the kernel (`Kernel.ReadCaches`), so each cache is counted under its module. */
export type ReadCaches = <V extends NonNullable<unknown>>(options: ReadCacheOptions) => ReadCache<V>;

/** What `Kernel.ReadCaches` gives a module: caches over its own tables, counted in the metrics, off when READ_CACHES=false. */
export function readCachesOf(module: string, db: ModuleDb, metrics: Metrics, enabled: boolean): ReadCaches {
  return <V extends NonNullable<unknown>>(options: ReadCacheOptions) => {
    const hit = metrics.readCacheLookups.labels(module, options.scope, 'hit');
    const miss = metrics.readCacheLookups.labels(module, options.scope, 'miss');
    return new ReadCache<V>(db, { ...options, enabled }, { hit: (n) => hit.inc(n), miss: (n) => miss.inc(n) });
  };
}

const UNCOUNTED: ReadCacheCounters = { hit: () => {}, miss: () => {} };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Remembers answers computed from a module's own tables, and forgets all of them as soon as any of
 * those tables changes, by any code path, in any process sharing the database.
 *
 * Why it is safe: the engine's triggers on the watched tables signal each committed change (a
 * counter bumped in the changing transaction on SQLite; a NOTIFY on PostgreSQL), and the cache
 * compares the signal's version before every read. An answer is kept only if the version did not
 * move while it was computed, so a read racing a write never caches what the write replaced.
 *
 * Cached values are shared between callers, so they are frozen (deeply) when stored; the call
 * boundary then checks each against its contract once, not on every call (see calls.ts).
 */
export class ReadCache<V extends NonNullable<unknown>> {
  private readonly entries: LRUCache<string, V>;
  private readonly enabled: boolean;
  private readonly freshness: CacheFreshness;
  private ready = false;
  /** The version the entries were computed under. */
  private version: number | undefined;

  constructor(
    db: ModuleDb,
    options: ReadCacheOptions,
    private readonly counters: ReadCacheCounters = UNCOUNTED,
  ) {
    const { scope, tables } = options;
    for (const name of [scope, ...tables]) {
      if (!IDENTIFIER.test(name)) throw new Error(`ReadCache: "${name}" is not a plain SQL identifier`);
    }
    this.enabled = options.enabled ?? true;
    this.entries = new LRUCache({ max: options.maxEntries });
    if (db instanceof SqliteModuleDb) this.freshness = sqliteFreshness(db, scope, tables);
    else if (db instanceof PostgresModuleDb) this.freshness = postgresFreshness(db, scope, tables);
    else throw new Error(`ReadCache: no change signal for ${db.dialect}`);
    // Failing to install is reported on first use.
    this.freshness.ready.catch(() => undefined);
  }

  /**
   * The cached answer for `key`, or `compute()`'s (then cached) when the data changed or it is new.
   * A key always names one kind of answer (prefix keys by use case), which makes the narrowing to T sound.
   */
  async get<T extends V>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return deepFreeze(await compute());
    if (!this.ready) await this.becomeReady();
    const version = this.check();
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.counters.hit(1);
      return cached as T;
    }
    this.counters.miss(1);
    const value = deepFreeze(await compute());
    if (this.freshness.version() === version) this.entries.set(key, value);
    return value;
  }

  /**
   * Answers for many keys with one check of the data and one `computeMissing` for all the keys not
   * cached (e.g. one `IN (...)` query). Keys it gives no answer for are left out of the result.
   */
  async getMany<T extends V>(keys: string[], computeMissing: (missing: string[]) => Promise<Map<string, T>>): Promise<Map<string, T>> {
    if (!this.enabled) return new Map([...(await computeMissing(keys))].map(([key, value]) => [key, deepFreeze(value)]));
    if (!this.ready) await this.becomeReady();
    const version = this.check();
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.entries.get(key);
      if (cached === undefined) missing.push(key);
      else found.set(key, cached as T);
    }
    if (found.size > 0) this.counters.hit(found.size);
    if (missing.length === 0) return found;
    this.counters.miss(missing.length);
    const computed = await computeMissing(missing);
    const keep = this.freshness.version() === version;
    for (const [key, value] of computed) {
      const frozen = deepFreeze(value);
      if (keep) this.entries.set(key, frozen);
      found.set(key, frozen);
    }
    return found;
  }

  /** Waits, once, for the change signal to be in place (PostgreSQL's LISTEN; SQLite's is at once). */
  private async becomeReady(): Promise<void> {
    await this.freshness.ready;
    this.ready = true;
  }

  /**
   * Forgets every answer if the watched tables changed since they were computed; returns the
   * version now. Synchronous: a hit, the common case, awaits nothing but its caller's own call.
   */
  private check(): number {
    const version = this.freshness.version();
    if (version !== this.version) {
      this.entries.clear();
      this.version = version;
    }
    return version;
  }
}
