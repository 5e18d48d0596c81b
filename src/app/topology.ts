import { parseArgs } from 'node:util';
import type { Config } from '../kernel/config.ts';
import { variablesHelp } from '../kernel/config-variables.ts';

export interface Topology {
  hosted: string[];
  gateway: boolean;
  /** Refuse to start unless every module answers somewhere (used once all replicas are up). */
  checkTopology: boolean;
}

export const USAGE = `Usage: node --import tsx src/main.ts [options]

Runs Cleave. With no options: every module in this one process, plus the HTTP API.

  --modules <list>     modules this process hosts: "all" (default), "none", or a comma list
                       such as "payment" or "order-taking,order-processing"   [env CLEAVE_MODULES]
  --except <list>      leave these out of --modules (e.g. --modules all --except payment)
                                                                          [env CLEAVE_EXCEPT]
  --gateway            also serve the shop's HTTP API (default: on when hosting every module)
  --no-gateway         do not serve the API (health, readiness and metrics still answer)
                                                                          [env CLEAVE_GATEWAY]
  --check-topology     at start, fail unless every module not hosted here answers over NATS
                       (the others get 3 s to come up)
  -h, --help           this text

Modules not hosted in this process are reached over NATS (NATS_URL, default nats://127.0.0.1:4222;
NATS_NAMESPACE keeps several shops apart on one server). Local multi-process topologies:
npm run start:topology -- <monolith|split-all|orders-apart>  (see deploy/topologies.json).

Environment (checked at start; a bad value names the variable):
${variablesHelp()}`;

/** Reads the deploy flag (command line first, then environment) into the set of hosted modules. */
export function parseTopology(argv: string[], config: Config, known: string[]): Topology | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      modules: { type: 'string' },
      except: { type: 'string' },
      gateway: { type: 'boolean' },
      'no-gateway': { type: 'boolean' },
      'check-topology': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const selected = expand(values.modules ?? config.modules, known);
  const except = new Set(expand(values.except ?? config.except, known, true));
  const hosted = selected.filter((m) => !except.has(m));
  const hostsAll = known.every((m) => hosted.includes(m));
  const gateway = values['no-gateway'] ? false : values.gateway ?? config.gateway ?? hostsAll;
  if (hosted.length === 0 && !gateway) throw new Error('This process would host no module and serve no API: pass --modules or --gateway');
  return { hosted, gateway, checkTopology: values['check-topology'] ?? false };
}

function expand(list: string, known: string[], allowEmpty = false): string[] {
  const trimmed = list.trim();
  if (trimmed === 'all') return [...known];
  if (trimmed === 'none' || (allowEmpty && trimmed === '')) return [];
  const names = trimmed.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!known.includes(n)) throw new Error(`Unknown module "${n}" in the deploy flag. Known modules: ${known.join(', ')}`);
  return names;
}
