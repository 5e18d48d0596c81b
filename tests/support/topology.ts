import { launchTopology, type RunningTopology } from '../../scripts/topology/launch.ts';
import type { TopologySpec } from '../../scripts/topology/spec.ts';
import { ShopClient } from './client.ts';
import { tempDataDir, testEnv } from './env.ts';
import { dropNamespace, SHARED_NATS_URL, uniqueNamespace } from './nats.ts';

export interface TestTopology extends RunningTopology {
  client: ShopClient;
  dataDir: string;
  /** NATS namespace of this run (subjects and stream), unique so parallel runs never meet. */
  namespace: string;
}

/**
 * Launches a topology (a name from deploy/topologies.json or a spec) as child processes for an
 * end-to-end test: test environment, a fresh data dir, free ports, and its own NATS namespace
 * on the shared server, deleted again by stop(). Child output is kept quiet unless
 * TEST_LOG_LEVEL is set; the last lines of a process that fails to start are in the error.
 * split-all starts 13 Node processes: on a busy 2-core machine that took 65 s, so give the
 * calling beforeAll a hook timeout to match (e.g. `beforeAll(fn, 180_000)`).
 */
export async function launchTestTopology(
  topology: string | TopologySpec,
  options: { dataDir?: string; env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<TestTopology> {
  const dataDir = options.dataDir ?? tempDataDir();
  const namespace = uniqueNamespace('topo');
  const env = testEnv(dataDir, {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    NATS_URL: SHARED_NATS_URL,
    NATS_NAMESPACE: namespace,
    ...options.env,
  });
  const output = process.env.TEST_LOG_LEVEL ? (line: string) => process.stdout.write(`${line}\n`) : () => {};
  const running = await launchTopology(topology, { env, basePort: 'free', output, readyTimeoutMs: options.readyTimeoutMs ?? 180_000 }).catch(async (err: unknown) => {
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
