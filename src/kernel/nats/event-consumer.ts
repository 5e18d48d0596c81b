import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { EventEnvelope } from '../contract.ts';
import type { Logger } from '../logger.ts';
import type { EventReceiver } from '../transport.ts';

export interface EventConsumerOptions {
  js: JetStreamClient;
  stream: string;
  /** The durable consumer's name: the consuming module's name. */
  durable: string;
  /** Event types the module handles; others (a wildcard filter on old servers) are acked and skipped. */
  types: string[];
  receive: EventReceiver;
  /** Creates or repairs the durable consumer (idempotent); run again after consumption broke off. */
  ensure: () => Promise<void>;
  maxDeliver: number;
  logger: Logger;
}

const RESTART_DELAY_MS = 1_000;

/**
 * Moves events from a module's durable JetStream consumer into its inbox, one at a time in stream
 * order. An event is acked only after `receive` stored it (at-least-once; the inbox drops repeats);
 * a failed store is nak'ed with backoff. The client library re-issues pulls after a reconnect; if
 * consumption breaks off anyway (consumer deleted, stream recreated) this loop starts it again.
 */
export class EventConsumer {
  private readonly wanted: Set<string>;
  private messages: ConsumerMessages | null = null;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private cancelPause: (() => void) | null = null;

  constructor(private readonly o: EventConsumerOptions) {
    this.wanted = new Set(o.types);
  }

  start(): void {
    this.running = this.run();
  }

  /** Stops pulling; the event being stored is finished (and acked) first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelPause?.();
    await this.messages?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      try {
        if (round > 0) await this.o.ensure();
        const consumer = await this.o.js.consumers.get(this.o.stream, this.o.durable);
        this.messages = await consumer.consume({ max_messages: 100 });
        if (this.stopped) await this.messages.close();
        void this.watch(this.messages);
        for await (const msg of this.messages) await this.handle(msg);
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

  private async handle(msg: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = msg.json<EventEnvelope>();
      if (typeof event?.id !== 'string' || typeof event.type !== 'string') throw new Error('missing id or type');
    } catch (err) {
      this.o.logger.error({ err, subject: msg.subject, seq: msg.seq }, 'message in the event stream is not an event envelope; dropping it');
      msg.term('not an event envelope');
      return;
    }
    if (!this.wanted.has(event.type)) {
      msg.ack();
      return;
    }
    try {
      await this.o.receive([event]);
      msg.ack();
    } catch (err) {
      const attempt = msg.info.deliveryCount;
      const delayMs = Math.min(30_000, 250 * 2 ** (attempt - 1));
      const final = attempt >= this.o.maxDeliver;
      const line = { err, consumer: this.o.durable, eventId: event.id, type: event.type, attempt };
      if (final) this.o.logger.error(line, 'could not store an event in the inbox; JetStream gives up on it now');
      else this.o.logger.warn({ ...line, retryInMs: delayMs }, 'could not store an event in the inbox; will be redelivered');
      msg.nak(delayMs);
    }
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
