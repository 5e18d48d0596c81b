import { NatsTransport } from '../src/kernel/nats/nats-transport.ts';
import { createLogger } from '../src/kernel/logger.ts';
import type { Transport } from '../src/kernel/transport.ts';

/** Two connected NATS transports (producer side, consumer side) in their own namespace. */
export async function natsTransportPair(namespace: string): Promise<[Transport, Transport]> {
  const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const logger = createLogger('silent');
  const a = await NatsTransport.connect({ url, namespace, logger, rpcTimeoutMs: 5000, hostedModules: ['bench-producer'] });
  const b = await NatsTransport.connect({ url, namespace, logger, rpcTimeoutMs: 5000, hostedModules: ['bench-consumer'] });
  return [a, b];
}
