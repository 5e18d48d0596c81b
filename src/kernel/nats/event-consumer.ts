import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { EventEnvelope } from '../contract.ts';
import type { Logger } from '../logger.ts';
import type { EventReceiver } from '../transport.ts';

export interface EventConsumerOptions {
  js: JetStreamClient;
  stream: string;
  /** The durable consumer's name: the consuming module's name. */
  durable: string;
  /** Subjects of the event types the module handles; others (a wildcard filter on old servers) are acked unread. */
  subjects: string[];
  receive: EventReceiver;
  /** Creates or repairs the durable consumer (idempotent); run again after consumption broke off. */
  ensure: () => Promise<void>;
  maxDeliver: number;
  logger: Logger;
}

const RESTART_DELAY_MS = 1_000;

/**
 * How long one pull request waits on the server. The client asks the server for a heartbeat every
 * half of it and, after two missed heartbeats, pulls again. A pull parked on a server that died
 * (the consumer's leader, on a cluster) is lost with it: the client's default of 30 s would stall
 * the module's events for up to 30 s after a failover; this gives ~5 s, for an idle consumer's
 * one small request every 5 s.
 */
export const PULL_EXPIRES_MS = 5_000;

/**
 * Moves events from a module's durable JetStream consumer into its inbox in stream order. Messages
 * that have arrived together are stored together (one inbox transaction) and acked once stored
 * (at-least-once; the inbox drops repeats); a failed store is nak'ed with backoff. The client
 * library re-issues pulls after a reconnect; if consumption breaks off anyway (consumer deleted,
 * stream recreated) this loop starts it again.
 */
export class EventConsumer {
  private readonly wanted: Set<string>;
  private messages: ConsumerMessages | null = null;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private cancelPause: (() => void) | null = null;
  /** Messages read but not yet stored; stored on the next turn, all at once. */
  private batch: JsMsg[] = [];
  /** The batches being stored, one after another so that stream order is kept. */
  private storing: Promise<void> = Promise.resolve();

  constructor(private readonly o: EventConsumerOptions) {
    this.wanted = new Set(o.subjects);
  }

  start(): void {
    this.running = this.run();
  }

  /** Stops pulling; the events being stored are finished (and acked) first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelPause?.();
    await this.messages?.close();
    await this.running;
    if (this.batch.length > 0) this.storeBatch();
    await this.storing;
  }

  private async run(): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      try {
        if (round > 0) await this.o.ensure();
        const consumer = await this.o.js.consumers.get(this.o.stream, this.o.durable);
        this.messages = await consumer.consume({ max_messages: 100, expires: PULL_EXPIRES_MS });
        if (this.stopped) await this.messages.close();
        void this.watch(this.messages);
        for await (const msg of this.messages) this.take(msg);
      } catch (err) {
        if (!this.stopped) this.o.logger.warn({ err, consumer: this.o.durable }, 'event consumption broke off; restarting');
      }
      if (!this.stopped) await this.pause(RESTART_DELAY_MS);
    }
  }

  /** A deleted consumer never comes back by itself: end this round so the loop recreates it. */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const n of messages.status()) {
      if (n.type === 'consumer_deleted') {
        this.o.logger.warn({ consumer: this.o.durable }, 'durable consumer was deleted; recreating it');
        await messages.close();
      }
    }
  }

  /** Skips what the module does not handle (by subject, unread) and gathers the rest for one store. */
  private take(msg: JsMsg): void {
    if (!this.wanted.has(msg.subject)) {
      msg.ack();
      return;
    }
    if (this.batch.length === 0) setImmediate(() => this.storeBatch());
    this.batch.push(msg);
  }

  private storeBatch(): void {
    if (this.batch.length === 0) return;
    const msgs = this.batch;
    this.batch = [];
    this.storing = this.storing.then(() => this.store(msgs));
  }

  private async store(msgs: JsMsg[]): Promise<void> {
    const events: EventEnvelope[] = [];
    const carriers: JsMsg[] = [];
    for (const msg of msgs) {
      const event = envelopeOf(msg);
      if (event) {
        events.push(event);
        carriers.push(msg);
      } else {
        this.o.logger.error({ subject: msg.subject, seq: msg.seq }, 'message in the event stream is not an event envelope; dropping it');
        msg.term('not an event envelope');
      }
    }
    if (events.length === 0) return;
    try {
      await this.o.receive(events);
      for (const msg of carriers) msg.ack();
    } catch (err) {
      for (const msg of carriers) this.retryLater(msg, err);
    }
  }

  private retryLater(msg: JsMsg, err: unknown): void {
    const attempt = msg.info.deliveryCount;
    const delayMs = Math.min(30_000, 250 * 2 ** (attempt - 1));
    const final = attempt >= this.o.maxDeliver;
    const line = { err, consumer: this.o.durable, subject: msg.subject, seq: msg.seq, attempt };
    if (final) this.o.logger.error(line, 'could not store an event in the inbox; JetStream gives up on it now');
    else this.o.logger.warn({ ...line, retryInMs: delayMs }, 'could not store an event in the inbox; will be redelivered');
    msg.nak(delayMs);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** The event a message carries, or undefined if it is not an event envelope. */
function envelopeOf(msg: JsMsg): EventEnvelope | undefined {
  try {
    const event = msg.json<EventEnvelope>();
    return typeof event?.id === 'string' && typeof event.type === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}
