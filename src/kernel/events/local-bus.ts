import EE2 from 'eventemitter2';
import type { Contract, EventEnvelope } from '../contract.ts';
import type { EventReceiver, Reachability, Transport } from '../transport.ts';

/**
 * The monolith's transport: events go through an eventemitter2 bus straight into each consumer's
 * inbox table, synchronously, so by the time `publish` resolves every consumer has stored them.
 * Calls need no transport here: every module is in this process.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  private readonly bus = new EE2.EventEmitter2({ wildcard: false, maxListeners: 100 });
  /** Events gathered per consumer during one publish, so each consumer stores a batch in one transaction. */
  private batches: Map<EventReceiver, EventEnvelope[]> | null = null;

  async publish(events: EventEnvelope[]): Promise<void> {
    const batches = new Map<EventReceiver, EventEnvelope[]>();
    this.batches = batches;
    try {
      for (const event of events) this.bus.emit(event.type, event);
    } finally {
      this.batches = null;
    }
    for (const [receive, batch] of batches) await receive(batch);
  }

  async subscribe(_consumer: string, types: string[], receive: EventReceiver): Promise<void> {
    const collect = (event: EventEnvelope) => {
      const batch = this.batches?.get(receive);
      if (batch) batch.push(event);
      else this.batches?.set(receive, [event]);
    };
    for (const type of types) this.bus.on(type, collect);
  }

  async serve(_contract: Contract): Promise<void> {}

  async unreachable(): Promise<string[]> {
    return [];
  }

  async reachability(): Promise<Reachability> {
    return { unreachable: [], starting: [] };
  }

  isConnected(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }
}
