import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Removes the data directories this run made (tempDataDir: `$TMPDIR/cleave-*`) once it ends: the
 * SQLite files of a whole run add up to ~250 MB. KEEP_TEST_DATA=1 keeps them for a post-mortem.
 */
export default function setup(): () => void {
  const started = Date.now();
  return () => {
    if (process.env.KEEP_TEST_DATA === '1') return;
    for (const name of readdirSync(tmpdir())) {
      if (!name.startsWith('cleave-')) continue;
      const path = join(tmpdir(), name);
      try {
        if (statSync(path).birthtimeMs >= started) rmSync(path, { recursive: true, force: true });
      } catch {
        // Gone already, or not ours to remove: leave it.
      }
    }
  };
}
