import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** deploy/topologies.json: the named local topologies. */
export const TOPOLOGIES_FILE = fileURLToPath(new URL('../../deploy/topologies.json', import.meta.url));

const ProcessSpec = z.strictObject({
  /** Shown as the log prefix `[name]` and the key of `processes` in the launcher. */
  name: z.string().regex(/^[a-z0-9-]+$/),
  /** "all" or the list of modules this process hosts (empty: a pure gateway). */
  modules: z.union([z.literal('all'), z.array(z.string())]),
  gateway: z.boolean().default(false),
});
export const TopologySpec = z.strictObject({
  description: z.string().default(''),
  processes: z.array(ProcessSpec).min(1),
});
const TopologiesFile = z.object({ topologies: z.record(z.string(), TopologySpec) });

export type TopologySpec = z.input<typeof TopologySpec>;

/** One process of a topology, checked against the registry, with `all` expanded. */
export interface ResolvedProcess {
  name: string;
  modules: string[];
  gateway: boolean;
}

export function loadTopologies(file = TOPOLOGIES_FILE): Record<string, TopologySpec> {
  return TopologiesFile.parse(JSON.parse(readFileSync(file, 'utf8'))).topologies;
}

/**
 * Checks a topology against the module registry and expands "all". It refuses unknown module
 * names (a typo, or a module not registered yet), registered modules no process hosts (calls to
 * them would fail at run time), duplicate process names, and a topology without an HTTP gateway.
 */
export function resolveTopology(name: string, spec: TopologySpec, registry: string[]): ResolvedProcess[] {
  const parsed = TopologySpec.parse(spec);
  const problems: string[] = [];
  const processes = parsed.processes.map((p) => ({ name: p.name, gateway: p.gateway, modules: p.modules === 'all' ? [...registry] : p.modules }));
  const unknown = [...new Set(processes.flatMap((p) => p.modules).filter((m) => !registry.includes(m)))];
  if (unknown.length) problems.push(`names modules that are not registered in src/app/modules.ts: ${unknown.join(', ')}`);
  const hosted = new Set(processes.flatMap((p) => p.modules));
  const orphans = registry.filter((m) => !hosted.has(m));
  if (orphans.length) problems.push(`hosts no process for registered modules: ${orphans.join(', ')}`);
  const names = processes.map((p) => p.name);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length) problems.push(`has duplicate process names: ${dupes.join(', ')}`);
  if (!processes.some((p) => p.gateway)) problems.push('has no gateway process (set "gateway": true on one)');
  if (problems.length) {
    throw new Error(`Topology "${name}" ${problems.join('; ')}. Registered modules: ${registry.join(', ')}.`);
  }
  return processes;
}

/** The command line of one process (after `node`). */
/** How a process of a topology runs Cleave: from source through tsx, or the build in dist/. */
export const SOURCE_ENTRY = ['--import', 'tsx', 'src/main.ts'];
export const BUILD_ENTRY = ['dist/src/main.js'];

export function processArgs(p: ResolvedProcess, registry: string[], entry: string[] = SOURCE_ENTRY): string[] {
  const all = registry.every((m) => p.modules.includes(m));
  const modules = all ? 'all' : p.modules.length ? p.modules.join(',') : 'none';
  return [...entry, '--modules', modules, p.gateway ? '--gateway' : '--no-gateway'];
}
