import { tmpdir } from 'node:os';

/** Names the folder global-setup.ts made for this test run. */
export const TEST_TMP_VARIABLE = 'CLEAVE_TEST_TMP';

/** Where tests make temporary folders: this run's own folder, or the OS's outside a vitest run (the benchmark). */
export function testTmpDir(): string {
  return process.env[TEST_TMP_VARIABLE] ?? tmpdir();
}
