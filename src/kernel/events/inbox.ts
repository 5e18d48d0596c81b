import type { EventEnvelope } from '../contract.ts';
import type { ModuleDb } from '../persistence/sql.ts';
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
  /** Told how long each run of a handler took, and whether it threw (event_handler_duration_seconds). */
  onHandlerRun?: (handler: string, seconds: number, failed: boolean) => void;
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

  constructor(db: ModuleDb, readonly moduleName: string, handlers: InboxHandler[], logger: Logger, options: InboxOptions) {
    const byName = new Map<string, InboxHandler>();
    for (const h of handlers) {
      if (byName.has(h.name)) throw new Error(`Module ${moduleName} registers two handlers named ${h.name}`);
      byName.set(h.name, h);
      this.byType.set(h.event.type, [...(this.byType.get(h.event.type) ?? []), h]);
    }
    const leaseMs = options.leaseMs ?? 10_000;
    this.table = new InboxTable(db);
    const runner = new HandlerRunner(db, this.table, moduleName, logger, options, (delayMs) => this.dispatcher.loop.wakeAfter(delayMs));
    this.dispatcher = new Dispatcher(this.table, runner, byName, { pollMs: options.pollMs, concurrency: options.concurrency ?? 64, leaseMs }, (err) =>
      logger.error({ err }, 'inbox could not claim events; will retry on next poll'),
    );
    this.intake = new InboxIntake(db, this.table, this.byType, runner, this.dispatcher, leaseMs);
  }

  /** Event types this module consumes. */
  types(): string[] {
    return [...this.byType.keys()];
  }

  /** Stores events durably for every handler that wants them: when it resolves they are safe. */
  receive(events: EventEnvelope[]): Promise<void> {
    return this.intake.receive(events);
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

  pendingCount(): Promise<number> {
    return this.table.pendingCount();
  }

  isIdle(): Promise<boolean> {
    return this.dispatcher.isIdle();
  }

  deadLetters(): Promise<DeadLetter[]> {
    return this.table.deadLetters();
  }

  /** Puts a dead event back in the queue (after the operator fixed the cause). */
  async revive(seq: number): Promise<boolean> {
    const changed = await this.table.revive(seq);
    if (changed) this.wake();
    return changed;
  }
}
