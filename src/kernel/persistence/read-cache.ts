import { LRUCache } from 'lru-cache';
import type { Sqlite } from './database.ts';
import { deepFreeze } from '../validation.ts';
import type { Metrics } from '../metrics.ts';

export interface ReadCacheOptions {
  /** Names the cache's generation counter and triggers; unique within the module's database. */
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

/** What `Kernel.ReadCaches` gives a module: caches over its own file, counted in the metrics, off when READ_CACHES=false. */
export function readCachesOf(module: string, sqlite: Sqlite, metrics: Metrics, enabled: boolean): ReadCaches {
  return <V extends NonNullable<unknown>>(options: ReadCacheOptions) => {
    const hit = metrics.readCacheLookups.labels(module, options.scope, 'hit');
    const miss = metrics.readCacheLookups.labels(module, options.scope, 'miss');
    return new ReadCache<V>(sqlite, { ...options, enabled }, { hit: (n) => hit.inc(n), miss: (n) => miss.inc(n) });
  };
}

const UNCOUNTED: ReadCacheCounters = { hit: () => {}, miss: () => {} };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Remembers answers computed from a module's own tables, and forgets all of them as soon as any of
 * those tables changes, by any code path: at once for this process's writes, and from the next
 * event-loop turn for writes committed by a replica sharing the file.
 *
 * Why it is safe: triggers on the watched tables bump a counter (kernel_generations) inside the
 * transaction that makes the change, so the counter moves exactly when committed data moves. A
 * read compares the counter with the one the cached answers were computed under. Reading the
 * counter takes a SQLite read transaction (5-8 µs under load: file locks), so it is read once per
 * event-loop turn, and again within the turn whenever this connection has written anything
 * (`total_changes()`, which costs no I/O). Reads inside an open transaction bypass the cache:
 * they may see writes that could still roll back.
 *
 * Cached values are shared between callers, so they are frozen (deeply) when stored; the call
 * boundary then checks each against its contract once, not on every call (see calls.ts).
 */
export class ReadCache<V extends NonNullable<unknown>> {
  private readonly entries: LRUCache<string, V>;
  private readonly readGeneration;
  private generation: number | undefined;
  private readonly enabled: boolean;
  private readonly changesOnThisConnection;
  /** total_changes() when the counter was last read; -1 = not read in this event-loop turn. */
  private changesWhenChecked = -1;
  private readonly endTurn = () => {
    this.changesWhenChecked = -1;
  };

  constructor(
    private readonly sqlite: Sqlite,
    options: ReadCacheOptions,
    private readonly counters: ReadCacheCounters = UNCOUNTED,
  ) {
    const { scope, tables } = options;
    for (const name of [scope, ...tables]) {
      if (!IDENTIFIER.test(name)) throw new Error(`ReadCache: "${name}" is not a plain SQL identifier`);
    }
    this.enabled = options.enabled ?? true;
    this.entries = new LRUCache({ max: options.maxEntries });
    installTriggers(sqlite, scope, tables);
    this.readGeneration = sqlite.prepare('SELECT value FROM kernel_generations WHERE scope = ?').pluck().bind(scope);
    this.changesOnThisConnection = sqlite.prepare('SELECT total_changes()').pluck();
  }

  /**
   * The cached answer for `key`, or `compute()`'s (then cached) when the data changed or it is new.
   * A key always names one kind of answer (prefix keys by use case), which makes the narrowing to T sound.
   */
  get<T extends V>(key: string, compute: () => T): T {
    if (!this.enabled) return deepFreeze(compute());
    if (this.sqlite.inTransaction) return compute();
    this.checkGeneration();
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.counters.hit(1);
      return cached as T;
    }
    this.counters.miss(1);
    const value = deepFreeze(compute());
    this.entries.set(key, value);
    return value;
  }

  /**
   * Answers for many keys with one check of the data and one `computeMissing` for all the keys not
   * cached (e.g. one `IN (...)` query). Keys it gives no answer for are left out of the result.
   */
  getMany<T extends V>(keys: string[], computeMissing: (missing: string[]) => Map<string, T>): Map<string, T> {
    if (!this.enabled) return new Map([...computeMissing(keys)].map(([key, value]) => [key, deepFreeze(value)]));
    if (this.sqlite.inTransaction) return computeMissing(keys);
    this.checkGeneration();
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
    for (const [key, value] of computeMissing(missing)) {
      this.entries.set(key, deepFreeze(value));
      found.set(key, value);
    }
    return found;
  }

  /** Forgets every answer if the watched tables changed since they were computed. */
  private checkGeneration(): void {
    const changes = this.changesOnThisConnection.get() as number;
    if (changes === this.changesWhenChecked) return;
    if (this.changesWhenChecked === -1) setImmediate(this.endTurn);
    this.changesWhenChecked = changes;
    const generation = this.readGeneration.get() as number;
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
  }
}

/**
 * Recreated at every start, in one immediate transaction (replicas starting together take turns):
 * the update trigger compares every column, and the columns follow the table's migrations. An
 * UPDATE that changes no value fires nothing, so a no-op write never costs the cache its answers.
 */
function installTriggers(sqlite: Sqlite, scope: string, tables: string[]): void {
  const columnsOf = sqlite.prepare('SELECT name FROM pragma_table_info(?)').pluck();
  const bump = `BEGIN UPDATE kernel_generations SET value = value + 1 WHERE scope = '${scope}'; END`;
  sqlite.transaction(() => {
    sqlite.prepare('INSERT INTO kernel_generations (scope, value) VALUES (?, 0) ON CONFLICT (scope) DO NOTHING').run(scope);
    for (const table of tables) {
      const columns = columnsOf.all(table) as string[];
      if (columns.length === 0) throw new Error(`ReadCache ${scope}: the module has no table named ${table}`);
      const changed = columns.map((c) => `OLD."${c.replaceAll('"', '""')}" IS NOT NEW."${c.replaceAll('"', '""')}"`).join(' OR ');
      const triggers = {
        insert: `AFTER INSERT ON ${table} ${bump}`,
        update: `AFTER UPDATE ON ${table} WHEN ${changed} ${bump}`,
        delete: `AFTER DELETE ON ${table} ${bump}`,
      };
      for (const [op, body] of Object.entries(triggers)) {
        const name = `kernel_generation_${scope}_${table}_${op}`;
        sqlite.exec(`DROP TRIGGER IF EXISTS ${name}; CREATE TRIGGER ${name} ${body}`);
      }
    }
  }).immediate();
}
