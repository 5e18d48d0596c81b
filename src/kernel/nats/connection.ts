import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';

export interface BrokerConnection {
  readonly nc: NatsConnection;
  /** False while the client is disconnected or reconnecting, and after close. */
  isConnected(): boolean;
  /**
   * Resolves true as soon as the client is connected (at once if it is), false if it is not
   * within `ms` or the connection is closed. A failover to another server of a cluster takes a
   * fraction of a second; work that can wait that long waits here instead of failing.
   */
  whenConnected(ms: number): Promise<boolean>;
}

/** The servers of a NATS_URL: one URL or a comma list (every server of a cluster). */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Opens the process's one NATS connection, told every server of NATS_URL (and, from the cluster's
 * gossip, any other). It reconnects forever with a short wait, to whichever server answers: a
 * broker restart, or the loss of one server of a cluster, must never turn into a process restart
 * (JetStream keeps the events meanwhile, and the outbox keeps anything not yet published). The
 * first connect, though, fails fast with a clear message, so a misconfigured NATS_URL is seen at
 * start and not as a silent hang.
 */
export async function openConnection(url: string, name: string, logger: Logger): Promise<BrokerConnection> {
  const servers = natsServers(url);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
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
  let waiters: Array<() => void> = [];
  const wakeWaiters = () => {
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  };
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        connected = false;
        logger.warn({ server: s.server }, 'lost the NATS connection; reconnecting');
      } else if (s.type === 'reconnect') {
        connected = true;
        logger.info({ server: s.server }, 'reconnected to NATS');
        wakeWaiters();
      } else if (s.type === 'close') {
        connected = false;
        wakeWaiters();
      } else if (s.type === 'error') {
        logger.warn({ err: s.error }, 'NATS reports an error');
      } else if (s.type === 'slowConsumer') {
        logger.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'NATS slow consumer: this process falls behind');
      }
    }
  })();
  logger.debug({ servers, server: nc.getServer() }, 'connected to NATS');
  const isConnected = () => connected && !nc.isClosed();
  const whenConnected = (ms: number): Promise<boolean> => {
    if (isConnected()) return Promise.resolve(true);
    if (nc.isClosed() || ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== done);
        resolve(isConnected());
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(isConnected());
      };
      waiters.push(done);
    });
  };
  return { nc, isConnected, whenConnected };
}
