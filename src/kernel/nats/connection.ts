import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';

export interface BrokerConnection {
  readonly nc: NatsConnection;
  /** False while the client is disconnected or reconnecting, and after close. */
  isConnected(): boolean;
}

/**
 * Opens the process's one NATS connection. It reconnects forever with a short wait: a broker
 * restart must never turn into a process restart (JetStream keeps the events meanwhile, and the
 * outbox keeps anything not yet published). The first connect, though, fails fast with a clear
 * message, so a misconfigured NATS_URL is seen at start and not as a silent hang.
 */
export async function openConnection(url: string, name: string, logger: Logger): Promise<BrokerConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url.split(',').map((s) => s.trim()),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      // Detects a half-open connection (broker host gone) within ~10 s rather than the default 4 min.
      pingInterval: 5_000,
      maxPingOut: 2,
    });
  } catch (err) {
    throw new Error(`Cannot connect to NATS at ${url} (${err instanceof Error ? err.message : String(err)}). Is nats-server running with -js? Set NATS_URL.`, { cause: err });
  }
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        connected = false;
        logger.warn({ server: s.server }, 'lost the NATS connection; reconnecting');
      } else if (s.type === 'reconnect') {
        connected = true;
        logger.info({ server: s.server }, 'reconnected to NATS');
      } else if (s.type === 'close') {
        connected = false;
      } else if (s.type === 'error') {
        logger.warn({ err: s.error }, 'NATS reports an error');
      } else if (s.type === 'slowConsumer') {
        logger.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'NATS slow consumer: this process falls behind');
      }
    }
  })();
  return { nc, isConnected: () => connected && !nc.isClosed() };
}
