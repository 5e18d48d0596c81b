import { startTopology } from '../support/processes.ts';
import type { JourneyTarget } from './journey-suite.ts';

/**
 * A journey target that is a topology of deploy/topologies.json running as real processes (free
 * ports, a fresh data dir, its own NATS namespace); stop() ends them gracefully and drops the
 * namespace. Split topologies fail at once, with the reason, when NATS is unreachable.
 */
export async function topologyTarget(name: string): Promise<JourneyTarget> {
  const topology = await startTopology(name);
  return { url: topology.gatewayUrl, stop: () => topology.stop() };
}
