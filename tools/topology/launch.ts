import { fileURLToPath } from 'node:url';
import { moduleNames } from '../../src/app/modules.ts';
import { ManagedProcess } from './child.ts';
import { allocatePorts } from '../ports.ts';
import { loadTopologies, processArgs, resolveTopology, type ResolvedProcess, type TopologySpec } from './spec.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LaunchOptions {
  /** Environment of every process, on top of this process's (DATA_DIR, NATS_URL, secrets, ...). */
  env?: Record<string, string | undefined>;
  /** Environment of one process, on top of `env` (a private DATA_DIR per replica, say). */
  envOf?: (process: ResolvedProcess) => Record<string, string | undefined>;
  /** The gateway's port; the other processes get the next ones. 'free' picks free ports. Default 3000. */
  basePort?: number | 'free';
  /** Receives every prefixed output line. Default: this process's stdout. */
  output?: (line: string) => void;
  /** How long every process may take to answer /readyz 200. Default 60 s. */
  readyTimeoutMs?: number;
  /** Node arguments that start Cleave (default: the sources through tsx; BUILD_ENTRY runs `npm run build` output). */
  entry?: string[];
  /** The module registry to check against (default: src/app/modules.ts). */
  registry?: string[];
}

export interface RunningTopology {
  name: string;
  gatewayUrl: string;
  /** By process name (a module name in split-all, "gateway" for the edge). */
  processes: Map<string, ManagedProcess>;
  /** Stops every process gracefully: the gateway first (no new requests), then the modules. */
  stop(): Promise<void>;
}

/**
 * Starts every process of a topology (a name from deploy/topologies.json, or a spec) with a
 * shared DATA_DIR and NATS_URL (unless `envOf` gives a process its own), and resolves once every
 * one answers /readyz with 200.
 */
export async function launchTopology(topology: string | TopologySpec, options: LaunchOptions = {}): Promise<RunningTopology> {
  const registry = options.registry ?? moduleNames;
  const name = typeof topology === 'string' ? topology : 'custom';
  const spec = typeof topology === 'string' ? pick(topology) : topology;
  const resolved = resolveTopology(name, spec, registry);
  // The gateway takes the base port, so its address is predictable (http://127.0.0.1:3000).
  const edge = resolved.findIndex((p) => p.gateway);
  const ordered = [resolved[edge], ...resolved.filter((_, i) => i !== edge)];
  const ports = await allocatePorts(ordered.length, options.basePort ?? 3000);
  const env = { ...process.env, ...options.env, CLEAVE_MODULES: undefined, CLEAVE_EXCEPT: undefined, CLEAVE_GATEWAY: undefined };
  const output = options.output ?? ((line: string) => process.stdout.write(`${line}\n`));
  const processes = new Map<string, ManagedProcess>();
  ordered.forEach((p, i) => {
    // Traces name each process after its place in the topology (cleave-gateway, cleave-warehouse, ...).
    const own = { ...env, OTEL_SERVICE_NAME: `cleave-${p.name}`, ...options.envOf?.(p) };
    processes.set(
      p.name,
      new ManagedProcess({
        name: p.name,
        args: processArgs(p, registry, options.entry),
        env: own,
        port: ports[i],
        relocatable: options.basePort === 'free',
        cwd: ROOT,
        output,
      }),
    );
  });
  const running: RunningTopology = {
    name,
    // A getter: a gateway started on a free port may have moved to another while it started.
    get gatewayUrl() {
      return processes.get(ordered[0].name)!.url;
    },
    processes,
    stop: async () => {
      const all = [...processes.values()];
      await all[0].stop();
      await Promise.all(all.slice(1).map((p) => p.stop()));
    },
  };
  for (const p of processes.values()) p.start();
  killOnExit(processes);
  try {
    await Promise.all([...processes.values()].map((p) => p.waitReady(options.readyTimeoutMs)));
  } catch (err) {
    await Promise.all([...processes.values()].map((p) => p.kill()));
    throw err;
  }
  return running;
}

function pick(name: string): TopologySpec {
  const all = loadTopologies();
  const spec = all[name];
  if (!spec) throw new Error(`No topology named "${name}" in deploy/topologies.json. Known: ${Object.keys(all).join(', ')}`);
  return spec;
}

/** Children must not outlive the launcher (a crashed test run would leave them holding ports). */
function killOnExit(processes: Map<string, ManagedProcess>): void {
  process.once('exit', () => {
    for (const p of processes.values()) {
      try {
        if (p.isRunning() && p.pid) process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}
