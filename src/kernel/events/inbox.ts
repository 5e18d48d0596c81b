import type { EventEnvelope } from '../contract.ts';
import type { Sqlite } from '../persistence/database.ts';
import type { Logger } from '../logger.ts';
import { Dispatcher } from './dispatcher.ts';
import { HandlerRunner, type InboxHandler, type InboxOutcome } from './handler-run.ts';
import { InboxIntake } from './inbox-intake.ts';
import { InboxTable, type DeadLetter } from './inbox-table.ts';

export type { DeadLetter } from './inbox-table.ts';
export type { InboxHandler, InboxOutcome } from './handler-run.ts';

export interface InboxOptions {
  maxAttempts: number;
  retryBaseMs: number;
  pollMs: number;
  /** Handlers running at once for this module; events with one key still run one at a time. */
  concurrency?: number;
  /** How long a claimed event stays with this process before another replica may take it. */
  leaseMs?: number;
  /** Told how each run of a handler ended (the kernel counts them in events_handled_total). */
  onOutcome?: (outcome: InboxOutcome) => void;
}

/**
 * A consumer module's durable inbox, as the runtime sees it. Three parts do the work:
 * InboxIntake stores what arrives (inbox-intake.ts), the Dispatcher claims and schedules rows
 * (dispatcher.ts), and the HandlerRunner runs one row to done, retry or dead letter
 * (handler-run.ts). Rows live in the module's own database (inbox-table.ts).
 */
export class Inbox {
  private readonly byType = new Map<string, InboxHandler[]>();
  private readonly table: InboxTable;
  private readonly dispatcher: Dispatcher;
  private readonly intake: InboxIntake;

  constructor(sqlite: Sqlite, readonly moduleName: string, handlers: InboxHandler[], logger: Logger, options: InboxOptions) {
    const byName = new Map<string, InboxHandler>();
    for (const h of handlers) {
      if (byName.has(h.name)) throw new Error(`Module ${moduleName} registers two handlers named ${h.name}`);
      byName.set(h.name, h);
      this.byType.set(h.event.type, [...(this.byType.get(h.event.type) ?? []), h]);
    }
    const leaseMs = options.leaseMs ?? 10_000;
    this.table = new InboxTable(sqlite);
    const runner = new HandlerRunner(sqlite, this.table, moduleName, logger, options, (delayMs) => this.dispatcher.loop.wakeAfter(delayMs));
    this.dispatcher = new Dispatcher(this.table, runner, byName, { pollMs: options.pollMs, concurrency: options.concurrency ?? 64, leaseMs });
    this.intake = new InboxIntake(sqlite, this.table, this.byType, runner, this.dispatcher, leaseMs);
  }

  /** Event types this module consumes. */
  types(): string[] {
    return [...this.byType.keys()];
  }

  /** Stores events durably for every handler that wants them. Synchronous: when it returns they are safe. */
  receive(events: EventEnvelope[]): void {
    this.intake.receive(events);
  }

  start(): void {
    this.dispatcher.start();
  }

  /** Stops claiming; resolves once the handlers running now have finished. */
  stop(): Promise<void> {
    return this.dispatcher.stop();
  }

  wake(): void {
    this.dispatcher.wake();
  }

  pendingCount(): number {
    return this.table.pendingCount();
  }

  isIdle(): boolean {
    return this.dispatcher.isIdle();
  }

  deadLetters(): DeadLetter[] {
    return this.table.deadLetters();
  }

  /** Puts a dead event back in the queue (after the operator fixed the cause). */
  revive(seq: number): boolean {
    const changed = this.table.revive(seq);
    if (changed) this.wake();
    return changed;
  }
}
