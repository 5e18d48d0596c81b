import type { Contract, EventEnvelope } from './contract.ts';
import type { RemoteCaller } from './calls.ts';

/** Delivers a batch of events into a consumer module's inbox; resolves once they are stored durably. */
export type EventReceiver = (events: EventEnvelope[]) => void | Promise<void>;

/** How modules answer a ping: not at all (`unreachable`), or only from processes still starting. */
export interface Reachability {
  unreachable: string[];
  starting: string[];
}

/**
 * The ports between the kernel and the world outside this process. The in-process transport
 * (eventemitter2) serves the monolith; the NATS transport serves split deployments. Module code
 * never sees which one is in use.
 */
export interface Transport {
  readonly kind: 'in-process' | 'nats';
  /** Reaches modules hosted in other processes; absent when everything is in this process. */
  readonly remote?: RemoteCaller;
  /** Hands events to every consumer; resolves once the transport has taken responsibility for them. */
  publish(events: EventEnvelope[]): Promise<void>;
  /** Subscribes one consumer module to event types. Each event reaches each consumer module once. */
  subscribe(consumer: string, types: string[], receive: EventReceiver): Promise<void>;
  /**
   * Claims a module for this process's store before the module is served: refuses (a ConfigError
   * saying what to do) when another process already answers for the module with another store,
   * then answers that question for it itself. Absent in-process: one process, one store per module.
   */
  claimStore?(module: string, store: { identity: string; location: string }): Promise<void>;
  /** Answers calls for a module hosted here (remote transports only). */
  serve(contract: Contract, handle: (method: string, input: unknown) => Promise<unknown>): Promise<void>;
  /**
   * Stops answering calls for the modules hosted here, finishing those in hand; events keep
   * flowing. The first step of a graceful stop, so no call is taken whose events could not leave.
   */
  stopServing?(): Promise<void>;
  /** Names of modules that did not answer a ping; empty when all are reachable. */
  unreachable(modules: string[]): Promise<string[]>;
  /** Pings modules: which answer nowhere, and which answer but are still starting (see Reachability). */
  reachability(modules: string[]): Promise<Reachability>;
  /**
   * This process's start-up work (every hosted module's onStart) is done. Until then its modules
   * take calls (another module's start-up work may need them) but answer pings as `starting`.
   */
  startupDone?(): void;
  isConnected(): boolean;
  close(): Promise<void>;
}
