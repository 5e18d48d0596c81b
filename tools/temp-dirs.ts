import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Names the folder tests/support/global-setup.ts made for this test run. */
export const TEST_TMP_VARIABLE = 'CLEAVE_TEST_TMP';

/** Where temporary folders go: this test run's own folder, or the OS's outside a vitest run (the benchmark). */
export function testTmpDir(): string {
  return process.env[TEST_TMP_VARIABLE] ?? tmpdir();
}

/** A fresh data directory under testTmpDir(). */
export function tempDataDir(prefix = 'cleave-test-'): string {
  return mkdtempSync(join(testTmpDir(), prefix));
}
