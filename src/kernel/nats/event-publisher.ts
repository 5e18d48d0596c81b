import type { JetStreamClient } from '@nats-io/jetstream';
import type { EventEnvelope } from '../contract.ts';
import type { NatsNames } from './names.ts';
import { encodeJson } from './wire.ts';

/** Publishes in flight at once: enough to hide the round trip, few enough not to flood the server. */
const IN_FLIGHT = 100;

/**
 * Stores events in the stream and resolves once JetStream acknowledged every one. The message id
 * is the event id, so a batch re-sent after a partial failure is stored once (within the
 * stream's duplicate window). Rejects if any publish fails; the outbox relay then retries later.
 */
export async function publishEvents(js: JetStreamClient, names: NatsNames, events: EventEnvelope[], timeoutMs: number): Promise<void> {
  for (let i = 0; i < events.length; i += IN_FLIGHT) {
    const chunk = events.slice(i, i + IN_FLIGHT);
    await Promise.all(chunk.map((event) => js.publish(names.event(event.type), encodeJson(event), { msgID: event.id, timeout: timeoutMs })));
  }
}
