import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Contract, EventDef, EventEnvelope } from '../contract.ts';
import type { OutboxWriter, PublishOptions } from '../persistence/sql.ts';
import { currentTraceparent } from '../tracing/spans.ts';

export type { PublishOptions } from '../persistence/sql.ts';

const INSERT = 'INSERT INTO kernel_outbox (id, type, version, key, trace_id, payload, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

/**
 * A module's outbox, as its transactions use it (`tx.publish`): each event is checked against the
 * module's contract and written to `kernel_outbox` in the transaction that makes the change it
 * reports, so both commit or neither, with the trace context of the span that wrote it. The relay
 * delivers committed rows (relay.ts).
 */
export class Outbox implements OutboxWriter {
  private readonly ownTypes: Set<string>;

  constructor(
    contract: Contract,
    /** Told once a transaction that published has committed: the relay then delivers at once. */
    private readonly onCommitted: () => void,
  ) {
    this.ownTypes = new Set(Object.values(contract.events).map((e) => e.type));
  }

  write<E extends EventDef>(def: E, payload: z.input<E['payload']>, options: PublishOptions) {
    if (!this.ownTypes.has(def.type)) throw new Error(`A module may only publish its own events; ${def.type} is not in its contract`);
    const parsed = def.payload.safeParse(payload);
    // A plain Error, not an AppError: the call boundary logs its details and tells the client only "Internal error".
    if (!parsed.success) throw new Error(`Payload of ${def.type} breaks its schema: ${parsed.error.message}`);
    const envelope: EventEnvelope<z.output<E['payload']>> = {
      id: randomUUID(),
      type: def.type,
      version: def.version,
      occurredAt: new Date().toISOString(),
      key: options.key,
      payload: parsed.data as z.output<E['payload']>,
    };
    // The span that made the change: each handler of the event continues its trace (spans.ts).
    const traceparent = currentTraceparent();
    if (traceparent) envelope.traceId = traceparent;
    const params = [envelope.id, envelope.type, envelope.version, envelope.key ?? null, traceparent, JSON.stringify(envelope.payload), envelope.occurredAt];
    return { envelope, insert: { text: INSERT, params } };
  }

  committed(): void {
    this.onCommitted();
  }
}
