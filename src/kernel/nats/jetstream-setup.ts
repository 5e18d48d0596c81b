import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface StreamSettings {
  name: string;
  subject: string;
  /** Publishes with the same message id (event id) within this window are stored once. */
  duplicateWindowMs: number;
  /** How long events stay in the stream (a consumer created later replays what is left). */
  maxAgeMs: number;
  /**
   * Copies the cluster keeps (NATS_STREAM_REPLICAS): 3 on a 3-server cluster survives losing one.
   * Durable consumers are created without a count of their own, so they follow the stream's.
   */
  replicas: number;
  /** Whether the server is part of a cluster: more than one replica needs one. */
  clustered: boolean;
}

export interface ConsumerSettings {
  /** After this many deliveries JetStream stops redelivering an event to the consumer. */
  maxDeliver: number;
  /** An unacknowledged event is redelivered after this long. */
  ackWaitMs: number;
}

/** Which events a durable consumer takes: exact subjects (NATS 2.10+) or everything. */
export type EventFilter = { filter_subjects: string[] } | { filter_subject: string };

/** What `ensureStream` did, for the start-up log. */
export type StreamOutcome =
  | { action: 'created'; replicas: number }
  | { action: 'unchanged'; replicas: number }
  | { action: 'updated'; replicas: number; previousReplicas: number; changed: string[] };

/**
 * Creates the event stream or brings its settings up to date. Safe to run from every process at
 * every start, concurrently: creating an identical stream twice is a no-op on the server.
 * Replicas are only ever raised (JetStream copies the stored events to the new peers; nothing is
 * deleted): a process started with a smaller NATS_STREAM_REPLICAS leaves a larger count alone.
 */
export async function ensureStream(jsm: JetStreamManager, s: StreamSettings): Promise<StreamOutcome> {
  if (s.replicas > 1 && !s.clustered) {
    throw new StreamReplicasError(
      `NATS_STREAM_REPLICAS=${s.replicas} needs a JetStream cluster of at least ${s.replicas} servers, but this NATS server is not part of a cluster. ` +
        'Set NATS_STREAM_REPLICAS=1 for a single server, or run a cluster (README, "NATS as a 3-server cluster").',
    );
  }
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: s.name,
    subjects: [s.subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(s.duplicateWindowMs),
    max_age: nanos(s.maxAgeMs),
    num_replicas: s.replicas,
  };
  const current = await jsm.streams.info(s.name).catch((err: unknown) => {
    if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return null;
    throw err;
  });
  if (!current) {
    await placing(s.replicas, () => jsm.streams.add(wanted));
    return { action: 'created', replicas: s.replicas };
  }
  const c = current.config;
  const previousReplicas = c.num_replicas || 1;
  const replicas = Math.max(previousReplicas, s.replicas);
  const changed = [
    ...(c.subjects.join() === s.subject ? [] : ['subjects']),
    ...(c.duplicate_window === wanted.duplicate_window ? [] : ['duplicate_window']),
    ...(c.max_age === wanted.max_age ? [] : ['max_age']),
    ...(replicas === previousReplicas ? [] : ['num_replicas']),
  ];
  if (changed.length === 0) return { action: 'unchanged', replicas };
  await placing(replicas, () =>
    jsm.streams.update(s.name, { subjects: wanted.subjects, duplicate_window: wanted.duplicate_window, max_age: wanted.max_age, num_replicas: replicas }),
  );
  return { action: 'updated', replicas, previousReplicas, changed };
}

/** The stream cannot have the replicas asked for: a configuration problem, said so plainly. */
export class StreamReplicasError extends Error {
  override name = 'StreamReplicasError';
}

/** Runs a stream add/update, turning "not enough servers for the replicas" into words an operator can act on. */
async function placing<T>(replicas: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isApiError(err, NO_SUITABLE_PEERS) || isApiError(err, REPLICAS_NOT_SUPPORTED)) {
      throw new StreamReplicasError(
        `NATS_STREAM_REPLICAS=${replicas}: the NATS cluster cannot place ${replicas} copies of the event stream (${(err as Error).message}). ` +
          `It needs at least ${replicas} JetStream servers up and in the cluster; lower NATS_STREAM_REPLICAS or add servers.`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** JetStream's "no suitable peers for placement" (fewer servers than replicas). */
const NO_SUITABLE_PEERS = 10005;
/** JetStream's "replicas > 1 not supported in non-clustered mode". */
const REPLICAS_NOT_SUPPORTED = 10074;

/**
 * Creates a module's durable consumer, or changes its filter when the module's handlers changed.
 * Events of a newly added type are delivered from now on: the consumer's position is kept.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filter: EventFilter,
  s: ConsumerSettings,
): Promise<void> {
  const tuning = { max_deliver: s.maxDeliver, ack_wait: nanos(s.ackWaitMs), max_ack_pending: 1_000 };
  const current = await jsm.consumers.info(stream, durable).catch((err: unknown) => {
    if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) return null;
    throw err;
  });
  if (!current) {
    const config: Partial<ConsumerConfig> = { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...tuning, ...filter };
    await jsm.consumers.add(stream, config);
    return;
  }
  if (sameFilter(current.config, filter) && current.config.max_deliver === s.maxDeliver && current.config.ack_wait === tuning.ack_wait) return;
  // `update` merges into the current config; clear the other filter form so only one is set.
  const cleared = 'filter_subjects' in filter ? { filter_subject: undefined } : { filter_subjects: undefined };
  await jsm.consumers.update(stream, durable, { ...tuning, ...cleared, ...filter });
}

function sameFilter(config: ConsumerConfig, filter: EventFilter): boolean {
  if ('filter_subject' in filter) return config.filter_subject === filter.filter_subject && !config.filter_subjects?.length;
  const have = [...(config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : []))].sort();
  const want = [...filter.filter_subjects].sort();
  return have.length === want.length && have.every((x, i) => x === want[i]);
}

/** Multiple filter subjects per consumer arrived in NATS 2.10; older servers get one wildcard. */
export function supportsMultipleFilters(serverVersion: string | undefined): boolean {
  const [major, minor] = (serverVersion ?? '0.0').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
