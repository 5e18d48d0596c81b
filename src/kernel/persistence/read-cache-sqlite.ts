import type { CacheFreshness } from './cache-freshness.ts';
import type { SqliteModuleDb } from './sqlite-db.ts';

/**
 * The embedded engine's change signal: triggers on the watched tables bump a counter
 * (kernel_generations) inside the transaction that makes the change, so the counter moves exactly
 * when committed data moves, whichever process wrote. Reading the counter takes a read transaction
 * (5-8 µs under load: file locks), so it is read once per event-loop turn, and again within the
 * turn whenever this process's writer connection has written anything (`total_changes()`, which
 * costs no I/O).
 */
export function sqliteFreshness(db: SqliteModuleDb, scope: string, tables: string[]): CacheFreshness {
  installTriggers(db, scope, tables);
  const readGeneration = db.reader.prepare('SELECT value FROM kernel_generations WHERE scope = ?').pluck();
  const changesOnWriter = db.writer.prepare('SELECT total_changes()').pluck();
  let generation = 0;
  /** total_changes() when the counter was last read; -1 = not read in this event-loop turn. */
  let changesWhenChecked = -1;
  const endTurn = () => {
    changesWhenChecked = -1;
  };
  return {
    ready: Promise.resolve(),
    version() {
      const changes = changesOnWriter.get() as number;
      if (changes === changesWhenChecked) return generation;
      if (changesWhenChecked === -1) setImmediate(endTurn);
      changesWhenChecked = changes;
      generation = readGeneration.get(scope) as number;
      return generation;
    },
  };
}

/**
 * Recreated at every start, in one immediate transaction (replicas starting together take turns):
 * the update trigger compares every column, and the columns follow the table's migrations. An
 * UPDATE that changes no value fires nothing, so a no-op write never costs the cache its answers.
 */
function installTriggers(db: SqliteModuleDb, scope: string, tables: string[]): void {
  const sqlite = db.writer;
  const columnsOf = sqlite.prepare('SELECT name FROM pragma_table_info(?)').pluck();
  const bump = `BEGIN UPDATE kernel_generations SET value = value + 1 WHERE scope = '${scope}'; END`;
  sqlite
    .transaction(() => {
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
    })
    .immediate();
}
