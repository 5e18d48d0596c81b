/**
 * Runs a local topology from deploy/topologies.json: one child process per entry, each on its own
 * port, sharing DATA_DIR and NATS_URL, with log lines prefixed by the process name.
 *
 *   npm run start:topology -- split-all            # gateway on PORT (default 3000), the rest on PORT+1...
 *   npm run start:topology -- --list
 *
 * Ctrl-C (SIGINT) or SIGTERM stops every process gracefully.
 */
import { launchTopology, type RunningTopology } from '../tools/topology/launch.ts';
import { loadTopologies } from '../tools/topology/spec.ts';

async function main(): Promise<void> {
  const name = process.argv[2];
  const topologies = loadTopologies();
  if (!name || name === '--list' || name === '-h' || name === '--help') {
    console.log('Usage: npm run start:topology -- <name>\n\nTopologies (deploy/topologies.json):');
    for (const [n, t] of Object.entries(topologies)) console.log(`  ${n.padEnd(14)} ${t.description ?? ''}`);
    process.exitCode = name ? 0 : 2;
    return;
  }
  const basePort = Number(process.env.PORT ?? 3000);
  let topology: RunningTopology | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[launcher] ${signal}: stopping every process`);
    await topology?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  topology = await launchTopology(name, { basePort });
  for (const p of topology.processes.values()) console.log(`[launcher] ${p.name.padEnd(16)} ${p.url} (pid ${p.pid})`);
  console.log(`[launcher] topology "${name}" is ready: the shop's API is at ${topology.gatewayUrl} (docs at ${topology.gatewayUrl}/docs)`);
}

main().catch((err: unknown) => {
  console.error(`[launcher] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
