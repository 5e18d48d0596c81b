import { jetstream, JetStreamApiError, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import type { Contract, EventEnvelope } from '../contract.ts';
import type { Logger } from '../logger.ts';
import type { EventReceiver, Reachability, Transport } from '../transport.ts';
import { openConnection, type BrokerConnection } from './connection.ts';
import { EventConsumer } from './event-consumer.ts';
import { publishEvents } from './event-publisher.ts';
import { ensureConsumer, ensureStream, StreamReplicasError, supportsMultipleFilters, type ConsumerSettings, type EventFilter, type StreamSettings } from './jetstream-setup.ts';
import { natsNames, type NatsNames } from './names.ts';
import { RpcClient } from './rpc-client.ts';
import { RpcServer, type CallHandler } from './rpc-server.ts';
import { StoreClaims } from './store-claim.ts';

export interface NatsTransportOptions {
  /** One URL or a comma list (every server of a cluster). */
  url: string;
  /** Replicas of the event stream (NATS_STREAM_REPLICAS): raised on an existing stream, never lowered. Default 1. */
  streamReplicas?: number;
  /** How long the start waits for a JetStream cluster that is electing its leaders. Default 20 s. */
  streamSetupTimeoutMs?: number;
  logger: Logger;
  /** How long a call waits for its reply; also the JetStream publish-ack timeout. */
  rpcTimeoutMs: number;
  /** Names the connection after what this process hosts (visible in the server's connz). */
  hostedModules: string[];
  /** Keeps shops/test runs apart on a shared server (see names.ts). Default: none. */
  namespace?: string;
  /** How long `unreachable` waits for each module's ping. Default 500 ms. */
  pingTimeoutMs?: number;
  /** How long a store claim waits for slow answers (nobody answering returns at once). Default 1.5 s. */
  storeClaimTimeoutMs?: number;
  /** Default 2 min: publishes of one event id within it are stored once. */
  duplicateWindowMs?: number;
  /** Default 7 days. */
  eventMaxAgeMs?: number;
  /** Default 20 deliveries, 30 s ack wait. */
  consumer?: Partial<ConsumerSettings>;
}

/**
 * The transport between processes of a split shop: calls are NATS request/reply, events go through
 * one JetStream stream with a durable consumer per consuming module. Built from small parts, each
 * in its own file; this class only wires them and owns the connection's lifecycle.
 */
export class NatsTransport implements Transport {
  readonly kind = 'nats' as const;
  readonly remote: RpcClient;
  private readonly server: RpcServer;
  private readonly stores: StoreClaims;
  private readonly consumers: EventConsumer[] = [];
  private readonly consumerSettings: ConsumerSettings;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly conn: BrokerConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly names: NatsNames,
    private readonly options: NatsTransportOptions,
  ) {
    const log = options.logger.child({ component: 'nats' });
    this.remote = new RpcClient(conn.nc, names, { timeoutMs: options.rpcTimeoutMs, pingTimeoutMs: options.pingTimeoutMs ?? 500, isConnected: conn.isConnected, whenConnected: conn.whenConnected });
    this.server = new RpcServer(conn.nc, names, log);
    this.stores = new StoreClaims(conn.nc, names, log, options.storeClaimTimeoutMs ?? 1_500);
    this.consumerSettings = { maxDeliver: 20, ackWaitMs: 30_000, ...options.consumer };
  }

  /** Connects, and makes sure the event stream exists with the expected settings. */
  static async connect(options: NatsTransportOptions): Promise<NatsTransport> {
    const names = natsNames(options.namespace);
    const log = options.logger.child({ component: 'nats' });
    const conn = await openConnection(options.url, options.hostedModules.join(',') || 'gateway', log);
    try {
      const jsm = await jetstreamManager(conn.nc);
      const settings: StreamSettings = {
        name: names.stream,
        subject: names.allEvents,
        duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
        maxAgeMs: options.eventMaxAgeMs ?? 7 * 24 * 3600_000,
        replicas: options.streamReplicas ?? 1,
        clustered: Boolean(conn.nc.info?.cluster),
      };
      const outcome = await whileElecting(() => ensureStream(jsm, settings), options.streamSetupTimeoutMs ?? 20_000, log);
      if (outcome.action === 'updated') {
        const raised = outcome.previousReplicas !== outcome.replicas;
        log.info(
          { stream: names.stream, changed: outcome.changed, replicas: outcome.replicas, previousReplicas: outcome.previousReplicas },
          raised
            ? `raised the event stream's replicas from ${outcome.previousReplicas} to ${outcome.replicas}; JetStream copies its events to the new peers (nothing is deleted)`
            : 'updated the event stream\'s settings',
        );
      } else if (outcome.action === 'created') {
        log.info({ stream: names.stream, replicas: outcome.replicas }, 'created the event stream');
      }
      if (outcome.replicas > settings.replicas) {
        log.info({ stream: names.stream, replicas: outcome.replicas, configured: settings.replicas }, 'the event stream keeps more replicas than NATS_STREAM_REPLICAS asks for; left as it is (never lowered)');
      }
      return new NatsTransport(conn, jetstream(conn.nc, { timeout: options.rpcTimeoutMs }), jsm, names, options);
    } catch (err) {
      await conn.nc.close();
      if (err instanceof StreamReplicasError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`Connected to NATS at ${options.url} but could not set up the event stream ${names.stream} (${why}). Is JetStream on (nats-server -js)?`, { cause: err });
    }
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    // While disconnected, fail at once: the outbox keeps the events and its relay tries again.
    if (!this.conn.isConnected()) throw new Error('NATS connection is down; events stay in the outbox');
    await publishEvents(this.js, this.names, events, this.options.rpcTimeoutMs);
  }

  async subscribe(consumer: string, types: string[], receive: EventReceiver): Promise<void> {
    if (types.length === 0) return;
    // NATS 2.10+ filters on the server. Older servers (2.9 on these machines) take one filter subject
    // that cannot be changed later, so the consumer takes every event and the loop skips the rest.
    const filter: EventFilter = supportsMultipleFilters(this.conn.nc.info?.version)
      ? { filter_subjects: types.map((t) => this.names.event(t)) }
      : { filter_subject: this.names.allEvents };
    const ensure = () => ensureConsumer(this.jsm, this.names.stream, consumer, filter, this.consumerSettings);
    await ensure();
    const loop = new EventConsumer({
      js: this.js,
      stream: this.names.stream,
      durable: consumer,
      subjects: types.map((t) => this.names.event(t)),
      receive,
      ensure,
      maxDeliver: this.consumerSettings.maxDeliver,
      logger: this.options.logger.child({ component: 'nats', consumer }),
    });
    loop.start();
    this.consumers.push(loop);
  }

  claimStore(module: string, store: { identity: string; location: string }): Promise<void> {
    return this.stores.claim(module, store);
  }

  serve(contract: Contract, handle: CallHandler): Promise<void> {
    return this.server.serve(contract, handle);
  }

  unreachable(modules: string[]): Promise<string[]> {
    return this.remote.unreachable(modules);
  }

  reachability(modules: string[]): Promise<Reachability> {
    return this.remote.reachability(modules);
  }

  startupDone(): void {
    this.server.startupDone();
  }

  isConnected(): boolean {
    return this.conn.isConnected();
  }

  stopServing(): Promise<void> {
    return this.server.stop();
  }

  /** Stops consuming and answering (finishing what is in hand), then drains the connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.server.stop();
    this.stores.stop();
    const nc = this.conn.nc;
    if (nc.isClosed()) return;
    // Drain flushes acks and replies; without a broker it could wait forever, so it is bounded.
    const drained = nc.drain().catch(() => undefined);
    const timeout = new Promise((resolve) => setTimeout(resolve, 3_000).unref());
    await Promise.race([drained, timeout]);
    if (!nc.isClosed()) await nc.close();
  }
}

/**
 * Runs a JetStream API request again while the cluster cannot answer yet: a process starting with
 * its cluster (or during a failover) meets timeouts and "temporarily unavailable" until the
 * leaders are elected. Anything else, or the time running out, fails the start.
 */
async function whileElecting<T>(work: () => Promise<T>, timeoutMs: number, log: Logger): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!electing(err) || Date.now() + 500 > deadline) throw err;
      log.warn({ err, attempt }, 'the JetStream cluster cannot answer yet (electing a leader?); trying again');
      await new Promise((r) => setTimeout(r, Math.min(2_000, 250 * attempt)));
    }
  }
}

/** JetStream's "temporarily unavailable" (no meta leader), a timeout or nobody answering the API yet. */
function electing(err: unknown): boolean {
  if (err instanceof JetStreamApiError) return err.code === CLUSTER_NOT_AVAILABLE;
  return err instanceof errors.TimeoutError || err instanceof errors.NoRespondersError || (err instanceof errors.RequestError && err.isNoResponders());
}

/** JetStream's "JetStream system temporarily unavailable". */
const CLUSTER_NOT_AVAILABLE = 10008;
