import { defineConfig } from 'vitest/config';

/**
 * Two projects, one suite: every test runs on SQLite (the default engine), and the tests that
 * prove the storage guarantees and the shop's behaviour run again on PostgreSQL
 * (CLEAVE_TEST_ENGINE=postgres: each shop a test starts gets a database of its own, see
 * tests/support/engine.ts). PostgreSQL missing fails those tests; nothing is skipped.
 */
const ON_BOTH_ENGINES = [
  'tests/journey/monolith.test.ts',
  'tests/journey/split-all.test.ts',
  'tests/faults/crash.test.ts',
  'tests/kernel/di.test.ts',
  'tests/kernel/outbox.test.ts',
  'tests/kernel/inbox*.test.ts',
  'tests/kernel/read-cache.test.ts',
  'tests/kernel/event-pruning.test.ts',
  'tests/kernel/metrics.test.ts',
  'tests/kernel/tracing.test.ts',
  'tests/kernel/storage-engines.test.ts',
  'tests/kernel/store-identity.test.ts',
  'tests/kernel/postgres-*.test.ts',
  'tests/modules/**/*.test.ts',
  // The storefront's checkout: guest accounts, saved addresses and forms sent twice on both engines.
  'tests/storefront/pages.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    // Forked processes, not worker threads. Measured side by side (2026-12-02), threads ran the
    // PostgreSQL project no faster (162 s both). They share one libuv threadpool between files, so
    // the test of password hashing under a burst queued behind other files' work. And twice they
    // ran PostgreSQL out of connections (catalog's seed test answered 500).
    pool: 'forks',
    // Each file in a fresh process (vitest's default). Sharing one process per worker (isolate:
    // false) cut a run from 13 to 11 minutes, but what a file leaves running (pollers, pools, a
    // shop still stopping) then competes with the next file's timing: two timing-sensitive tests
    // failed in CI that way, so the isolation stays.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only contend for them.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['tests/**/*.test.ts'], exclude: ['tests/kernel/postgres-*.test.ts'] } },
      { extends: true, test: { name: 'postgres', include: ON_BOTH_ENGINES, env: { CLEAVE_TEST_ENGINE: 'postgres' } } },
    ],
  },
});
