import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { TopologySpec } from '../../scripts/topology/spec.ts';
import { ShopClient } from './client.ts';
import { SHARED_NATS_URL } from './nats.ts';
import { launchTestTopology, type TestTopology } from './topology.ts';

export { mapLimit } from './map-limit.ts';

/**
 * Helpers for the tests that run the shop as real processes (the journeys against each
 * topology, and the fault tests): a NATS check that fails loudly, topology start, operator
 * endpoints on every process, bounded parallelism.
 */

/**
 * Fails (never skips) when the shared NATS server does not answer: a split topology cannot run
 * without it, and saying so in one line beats 13 processes timing out one by one.
 */
export async function requireSharedNats(url = SHARED_NATS_URL): Promise<void> {
  try {
    const nc = await connect({ servers: url, timeout: 3_000, reconnect: false });
    await nc.close();
  } catch (err) {
    throw new Error(
      `NATS is unreachable at ${url} (${err instanceof Error ? err.message : String(err)}): the split topologies need it${process.env.CI ? ' (CI is set)' : ''}. ` +
        'Start it: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server',
    );
  }
}

/** Processes starting at once on a busy 2-core machine: split-all is 13 Node processes. */
export const START_TIMEOUT_MS = 180_000;

/** Checks NATS (unless the topology is one process hosting everything), then launches it. */
export async function startTopology(
  topology: string | TopologySpec,
  options: { env?: Record<string, string>; needsNats?: boolean } = {},
): Promise<TestTopology> {
  if (options.needsNats ?? topology !== 'monolith') await requireSharedNats();
  return launchTestTopology(topology, { env: options.env, readyTimeoutMs: START_TIMEOUT_MS });
}

/**
 * Starts what a test file runs against once (beforeAll) and stops it after the last test. If the
 * start fails (NATS down, a process dying at boot), every test of the file fails with the reason:
 * thrown from beforeAll, vitest would report them as skipped. Returns a getter for the started value.
 */
export function startOnce<T>(start: () => Promise<T>, stop: (started: T) => Promise<void>, timeoutMs = START_TIMEOUT_MS): () => T {
  let started: T | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      started = await start();
    } catch (err) {
      failure = err;
    }
  }, timeoutMs);
  beforeEach(() => {
    if (failure) throw failure;
  });
  afterAll(async () => {
    if (started !== undefined) await stop(started);
  });
  return () => started as T;
}

/** Base URLs of every process of a topology, the gateway first. */
export function processUrls(topology: TestTopology): string[] {
  return [...topology.processes.values()].map((p) => p.url);
}

export interface DeadLetterRow {
  module: string;
  eventId: string;
  handler: string;
  type: string;
  lastError: string | null;
}

/** Dead letters of every module, asked of each process (each answers for the modules it hosts). */
export async function deadLettersEverywhere(urls: string[], adminToken: string): Promise<DeadLetterRow[]> {
  const all: DeadLetterRow[] = [];
  for (const url of urls) {
    const res = await new ShopClient(url).get('/api/admin/dead-letters', adminToken);
    if (res.status !== 200) throw new Error(`GET ${url}/api/admin/dead-letters answered ${res.status}: ${JSON.stringify(res.body)}`);
    all.push(...(res.body.items as DeadLetterRow[]));
  }
  return all;
}

