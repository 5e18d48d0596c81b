import { moduleNames } from '../../src/app/modules.ts';
import { loadTopologies, resolveTopology } from '../../tools/topology/spec.ts';
import { OtlpReceiver } from '../../tools/otlp-receiver.ts';
import { startTopology } from '../support/processes.ts';
import type { JourneyTarget } from './journey-suite.ts';

/**
 * A journey target that is a topology of deploy/topologies.json running as real processes (free
 * ports, a fresh data dir, its own NATS namespace); stop() ends them gracefully and drops the
 * namespace. Split topologies fail at once, with the reason, when NATS is unreachable. Its
 * processes send their traces to an OTLP receiver of the test's, as they would to a collector.
 */
export async function topologyTarget(name: string): Promise<JourneyTarget> {
  const receiver = await OtlpReceiver.start();
  const processes = resolveTopology(name, loadTopologies()[name], moduleNames);
  // The launcher names each process's spans cleave-<process name>.
  const serviceOf = (module: string) => `cleave-${processes.find((p) => p.modules.includes(module))!.name}`;
  const gatewayService = `cleave-${processes.find((p) => p.gateway)!.name}`;
  const topology = await startTopology(name, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' } }).catch(async (err: unknown) => {
    await receiver.close();
    throw err;
  });
  return {
    url: topology.gatewayUrl,
    traces: { receiver, serviceOf, gatewayService },
    stop: async () => {
      await topology.stop();
      await receiver.close();
    },
  };
}
