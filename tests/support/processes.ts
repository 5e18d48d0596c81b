import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { dropNamespace, SHARED_NATS_URL, uniqueNamespace } from '../../tools/nats-namespaces.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { launchTopology, type RunningTopology } from '../../tools/topology/launch.ts';
import type { ResolvedProcess, TopologySpec } from '../../tools/topology/spec.ts';
import { ShopClient } from './client.ts';
import { engineEnv } from './engine.ts';
import { testEnv } from './env.ts';

/**
 * The one way to start the shop as real processes (tests/support/in-process.ts starts it in this
 * process), for the journeys against each topology and the fault tests: a topology of
 * deploy/topologies.json launched as child processes, and what those tests need around it (a
 * NATS check that fails loudly, a start that fails every test with its reason, operator
 * endpoints on every process).
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

export interface TestTopology extends RunningTopology {
  client: ShopClient;
  dataDir: string;
  /** NATS namespace of this run (subjects and stream), unique so parallel runs never meet. */
  namespace: string;
}

/**
 * Launches a topology (a name from deploy/topologies.json or a spec) as child processes: test
 * environment, a fresh (or given) data dir, free ports, and its own NATS namespace on the shared
 * server, deleted again by stop(). Checks first that NATS answers, unless the topology is one
 * process hosting everything. Child output is kept quiet unless TEST_LOG_LEVEL is set; the last
 * lines of a process that fails to start are in the error. split-all starts 13 Node processes:
 * give the calling beforeAll a hook timeout to match (START_TIMEOUT_MS, or use startOnce).
 */
export async function startTopology(
  topology: string | TopologySpec,
  options: {
    dataDir?: string;
    env?: Record<string, string>;
    /** One process's environment on top of the rest (a private DATA_DIR per replica, say). */
    envOf?: (process: ResolvedProcess) => Record<string, string>;
    needsNats?: boolean;
    readyTimeoutMs?: number;
  } = {},
): Promise<TestTopology> {
  if (options.needsNats ?? topology !== 'monolith') await requireSharedNats();
  const dataDir = options.dataDir ?? tempDataDir();
  const namespace = uniqueNamespace('topo');
  const env = testEnv(dataDir, {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    NATS_URL: SHARED_NATS_URL,
    NATS_NAMESPACE: namespace,
    ...(await engineEnv(dataDir)),
    ...options.env,
  });
  const output = process.env.TEST_LOG_LEVEL ? (line: string) => process.stdout.write(`${line}\n`) : () => {};
  const readyTimeoutMs = options.readyTimeoutMs ?? START_TIMEOUT_MS;
  const running = await launchTopology(topology, { env, envOf: options.envOf, basePort: 'free', output, readyTimeoutMs }).catch(async (err: unknown) => {
    await dropNamespace(namespace).catch(() => undefined);
    throw err;
  });
  return {
    ...running,
    client: new ShopClient(running.gatewayUrl),
    dataDir,
    namespace,
    stop: async () => {
      await running.stop();
      await dropNamespace(namespace).catch(() => undefined);
    },
  };
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

export interface DeadLetterRow {
  module: string;
  eventId: string;
  handler: string;
  type: string;
  lastError: string | null;
}

/**
 * Dead letters of every module of the shop, as the gateway's back office lists them (each module
 * answers wherever it runs). Throws if a module did not answer: its letters would be missing.
 */
export async function deadLettersEverywhere(gatewayUrl: string, adminToken: string): Promise<DeadLetterRow[]> {
  const res = await new ShopClient(gatewayUrl).get('/api/admin/dead-letters', adminToken);
  if (res.status !== 200) throw new Error(`GET ${gatewayUrl}/api/admin/dead-letters answered ${res.status}: ${JSON.stringify(res.body)}`);
  if (res.body.unreachable.length > 0) throw new Error(`modules did not answer for their dead letters: ${res.body.unreachable.join(', ')}`);
  return res.body.items as DeadLetterRow[];
}
