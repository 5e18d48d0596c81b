import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_TMP_VARIABLE } from '../../tools/temp-dirs.ts';
import { dropRunDatabases, runDatabasePrefix } from './engine.ts';

/**
 * Gives this run its own folder for data directories (tempDataDir, private NATS servers) and
 * removes it when the run ends: the SQLite files of a whole run add up to ~250 MB. Only this run's
 * folder goes, so runs side by side (other worktrees, a mutation run) never lose each other's data.
 * The same goes for the databases the PostgreSQL project creates. KEEP_TEST_DATA=1 keeps both
 * for a post-mortem.
 */
export default function setup(): () => Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'cleave_run-'));
  // Set before the test workers are forked, which inherit it.
  process.env[TEST_TMP_VARIABLE] = runDir;
  return async () => {
    if (process.env.KEEP_TEST_DATA === '1') return;
    rmSync(runDir, { recursive: true, force: true });
    // The PostgreSQL tests' databases (tests/support/engine.ts), this run's only.
    await dropRunDatabases(runDatabasePrefix(runDir));
  };
}
