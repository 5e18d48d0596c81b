// Mutation testing (StrykerJS), on demand only: `npm run test:mutation`. Not run in CI (too slow
// for 2 cores). See README.md, "Mutation testing".
//
// The scope is split into areas, each with the in-process tests written for it. MUTATION_AREA picks
// some (comma-separated; default: all of them); the mutants of the chosen areas run against the
// union of their tests. CLI flags override this file, e.g.
//   MUTATION_AREA=kernel npm run test:mutation -- --mutate src/kernel/calls.ts
// MUTATION_STATIC=1 also tests static mutants (see `ignoreStatic` below).

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

// The tests keep their SQLite files in $TMPDIR/cleave-*, and the global teardown removes every such
// directory born while its run lasted. A mutation run lasts an hour: it would sweep away the files
// of other test runs on this machine (and theirs ours). Its workers get a TMPDIR of their own, inside
// Stryker's temp dir, which Stryker deletes after a successful run.
const tmpDir = resolve('.stryker-tmp/tmp');
mkdirSync(tmpDir, { recursive: true });
process.env.TMPDIR = tmpDir;

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
const areas = {
  // The kernel's events (outbox, relay, inbox, handler runs, local bus) and calls.
  kernel: {
    mutate: ['src/kernel/events/*.ts', 'src/kernel/calls.ts'],
    tests: [
      'tests/kernel/contracts.test.ts',
      'tests/kernel/di.test.ts',
      'tests/kernel/inbox.test.ts',
      'tests/kernel/inbox-leases.test.ts',
      'tests/kernel/inbox-order-running.test.ts',
      'tests/kernel/inbox-order.test.ts',
      'tests/kernel/outbox.test.ts',
      'tests/transport/nats.test.ts',
      'tests/modules/order-taking/orders.test.ts',
    ],
  },
  saga: {
    mutate: ['src/modules/order-processing/internal/order-saga.ts', 'src/modules/order-processing/internal/order-transitions.ts'],
    tests: ['tests/modules/order-processing/saga.test.ts', 'tests/modules/order-processing/recovery.test.ts'],
  },
  // Reservations only: reserve/release/commit and their helpers, and the statements they run.
  // `file:from-to` limits a file to those lines.
  warehouse: {
    mutate: [
      'src/modules/warehouse/internal/warehouse-service.ts:53-100',
      'src/modules/warehouse/internal/warehouse-service.ts:115-136',
      'src/modules/warehouse/internal/warehouse-store.ts:32-34',
      'src/modules/warehouse/internal/warehouse-store.ts:54-66',
      'src/modules/warehouse/internal/warehouse-store.ts:112-149',
    ],
    tests: ['tests/modules/warehouse/reservations.test.ts', 'tests/modules/warehouse/http.test.ts'],
  },
  checkout: {
    mutate: ['src/modules/order-taking/internal/checkout-keys.ts'],
    tests: ['tests/modules/order-taking/checkout.test.ts'],
  },
  payment: {
    mutate: ['src/modules/payment/internal/payment-service.ts', 'src/modules/payment/internal/test-gateway*.ts'],
    tests: ['tests/modules/payment/charges.test.ts'],
  },
};
// Left out on purpose: tests that drive the code in child processes (faults.*, startup.*,
// nats-outage/split/topology, tests/journey/*). A mutant is active only in the test runner's own
// process, so they could kill nothing and would only cost time.

const chosen = (process.env.MUTATION_AREA ?? '').split(',').map((s) => s.trim()).filter(Boolean);
for (const name of chosen) {
  if (!(name in areas)) throw new Error(`MUTATION_AREA: unknown area "${name}"; known: ${Object.keys(areas).join(', ')}`);
}
const selected = (chosen.length ? chosen : Object.keys(areas)).map((name) => areas[name]);
const unique = (list) => [...new Set(list)];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts' },
  // Only the tests that cover a mutant run for it (Stryker records coverage per test in the dry run).
  coverageAnalysis: 'perTest',
  mutate: unique(selected.flatMap((a) => a.mutate)),
  testFiles: unique(selected.flatMap((a) => a.tests)),
  // Two cores, shared: two vitest workers (Stryker runs each with a single thread).
  concurrency: 2,
  // Static mutants are those reached only outside a test: in practice, code the tests run in
  // `beforeAll` (starting a shop, seeding it). Stryker cannot tell which tests they affect, so
  // each would need all tests with a fresh module load (~1.5 min apiece here). They are reported
  // as Ignored and left out of the score unless MUTATION_STATIC=1. Mutants reached both in
  // `beforeAll` and inside tests are still tested, by the tests that reach them.
  ignoreStatic: process.env.MUTATION_STATIC !== '1',
  // Type-checking every mutant (typescript-checker) would add a tsc pass per mutant on 2 shared
  // cores; mutants that do not type-check still run and are killed at run time, so it stays off.
  checkers: [],
  // A mutant gets `timeoutFactor` x its covering tests' normal time + `timeoutMS` before it counts
  // as a timeout (an infinite loop, or a promise that never settles). Generous: the cores are
  // shared with other test runs, and a timed-out worker costs a vitest restart.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 20,
  // Incremental mode is opt-in (`-- --incremental`): it reuses the last run's result of every
  // mutant whose code and covering tests did not change, but it cannot see changes to test helpers
  // (tests/support) or to code outside `mutate`, and a narrower run overwrites the file with its
  // subset. So the file is a local cache in reports/mutation/ (gitignored), never a baseline.
  incremental: false,
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['data', 'dist', '.vitest-data', 'bench/results', 'bench/profiles', 'deploy/cleave.env'],
  // No break threshold: the score informs, it gates nothing.
  thresholds: { high: 80, low: 60, break: null },
};
