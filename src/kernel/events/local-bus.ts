import EE2 from 'eventemitter2';
import type { Contract, EventEnvelope } from '../contract.ts';
import type { EventReceiver, Transport } from '../transport.ts';

/**
 * The monolith's transport: events go through an eventemitter2 bus straight into each consumer's
 * inbox table, synchronously, so by the time `publish` resolves every consumer has stored them.
 * Calls need no transport here: every module is in this process.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  private readonly bus = new EE2.EventEmitter2({ wildcard: false, maxListeners: 100 });

  async publish(events: EventEnvelope[]): Promise<void> {
    for (const event of events) this.bus.emit(event.type, event);
  }

  async subscribe(_consumer: string, types: string[], receive: EventReceiver): Promise<void> {
    for (const type of types) this.bus.on(type, (event: EventEnvelope) => void receive([event]));
  }

  async serve(_contract: Contract): Promise<void> {}

  async unreachable(): Promise<string[]> {
    return [];
  }

  isConnected(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }
}
