import { randomUUID } from 'node:crypto';
import type { Contract, EventDef, EventEnvelope } from '../contract.ts';
import type { z } from 'zod';
import type { Sqlite } from '../persistence/database.ts';

export interface PublishOptions {
  /** Events with one key are handled in order by each consumer (use the aggregate id). */
  key?: string;
}

/**
 * A module's way to publish its events. `publish` writes to the module's outbox table and must be
 * called inside the transaction that makes the change the event reports: both commit or neither.
 */
export class Outbox {
  private readonly insert;
  private readonly ownTypes: Set<string>;

  constructor(
    private readonly sqlite: Sqlite,
    contract: Contract,
    private readonly onWritten: () => void,
  ) {
    this.ownTypes = new Set(Object.values(contract.events).map((e) => e.type));
    this.insert = sqlite.prepare(
      'INSERT INTO kernel_outbox (id, type, version, key, trace_id, payload, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  publish<E extends EventDef>(def: E, payload: z.input<E['payload']>, options: PublishOptions = {}): EventEnvelope<z.output<E['payload']>> {
    if (!this.ownTypes.has(def.type)) throw new Error(`A module may only publish its own events; ${def.type} is not in its contract`);
    if (!this.sqlite.inTransaction) throw new Error(`Publishing ${def.type} outside a transaction: wrap the change and the publish in db.transaction()`);
    const parsed = def.payload.safeParse(payload);
    // A plain Error, not an AppError: the call boundary logs its details and tells the client only "Internal error".
    if (!parsed.success) throw new Error(`Payload of ${def.type} breaks its schema: ${parsed.error.message}`);
    const envelope: EventEnvelope<z.output<E['payload']>> = {
      id: randomUUID(),
      type: def.type,
      version: def.version,
      occurredAt: new Date().toISOString(),
      key: options.key,
      payload: parsed.data as z.output<E["payload"]>,
    };
    this.insert.run(envelope.id, envelope.type, envelope.version, envelope.key ?? null, null, JSON.stringify(envelope.payload), envelope.occurredAt);
    // Delivery starts once the surrounding transaction has committed (the relay reads committed rows).
    this.onWritten();
    return envelope;
  }
}
