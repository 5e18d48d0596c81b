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
}

export interface ConsumerSettings {
  /** After this many deliveries JetStream stops redelivering an event to the consumer. */
  maxDeliver: number;
  /** An unacknowledged event is redelivered after this long. */
  ackWaitMs: number;
}

/** Which events a durable consumer takes: exact subjects (NATS 2.10+) or everything. */
export type EventFilter = { filter_subjects: string[] } | { filter_subject: string };

/**
 * Creates the event stream or brings its settings up to date. Safe to run from every process at
 * every start, concurrently: creating an identical stream twice is a no-op on the server.
 */
export async function ensureStream(jsm: JetStreamManager, s: StreamSettings): Promise<void> {
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: s.name,
    subjects: [s.subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(s.duplicateWindowMs),
    max_age: nanos(s.maxAgeMs),
  };
  const current = await jsm.streams.info(s.name).catch((err: unknown) => {
    if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return null;
    throw err;
  });
  if (!current) {
    await jsm.streams.add(wanted);
    return;
  }
  const c = current.config;
  const same = c.subjects.join() === s.subject && c.duplicate_window === wanted.duplicate_window && c.max_age === wanted.max_age;
  if (!same) await jsm.streams.update(s.name, { subjects: wanted.subjects, duplicate_window: wanted.duplicate_window, max_age: wanted.max_age });
}

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
