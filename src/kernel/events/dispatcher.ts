import type { HandlerRunner, InboxHandler } from './handler-run.ts';
import type { InboxRow, InboxTable } from './inbox-table.ts';
import { WakeLoop } from './wake-loop.ts';

export interface DispatcherOptions {
  pollMs: number;
  /** Handlers running at once for this module; events with one key still run one at a time. */
  concurrency: number;
  /** How long a claimed event stays with this process before another replica may take it. */
  leaseMs: number;
}

/**
 * Works through a module's inbox: claims due rows (a lease, so replicas sharing the database do
 * not run the same row at once), runs them within the module's handler slots, and keeps events
 * of one key in arrival order, each waiting for the one before it.
 */
export class Dispatcher {
  readonly loop: WakeLoop;
  private readonly inFlightKeys = new Map<string, Promise<void>>();
  private inFlight = 0;
  private pumping = false;
  /**
   * True when due rows may be waiting beyond what was claimed; otherwise only new rows, timers and
   * polls wake the pump. True at first: rows left from before a restart are claimed before any
   * new row with a key may skip the queue (see InboxIntake and `olderRowsWaiting`).
   */
  private backlog = true;

  constructor(
    private readonly table: InboxTable,
    private readonly runner: HandlerRunner,
    private readonly byName: Map<string, InboxHandler>,
    private readonly options: DispatcherOptions,
    private readonly onError: (err: unknown) => void,
  ) {
    this.loop = new WakeLoop(options.pollMs, () => {
      this.pump().catch(this.onError);
    });
  }

  /** Handler slots not taken (none once stopping). */
  openSlots(): number {
    return this.loop.isStopped ? 0 : this.options.concurrency - this.inFlight;
  }

  /**
   * Whether rows stored earlier may be waiting to be claimed. A new row with a key must then queue
   * behind them (an older one of its key may be among them); one without a key promises no order
   * and may pass them. Under a steady stream of events the backlog may never clear, and rows that
   * queue each cost a claim and a transaction of their own.
   */
  olderRowsWaiting(): boolean {
    return this.backlog;
  }

  /** Whether an event of this key is running or waiting here: a newer one must queue behind it. */
  hasKeyInHand(key: string): boolean {
    return this.inFlightKeys.has(key);
  }

  /** A row was stored for the pump to claim: until it has caught up, no newer row may jump ahead. */
  queuedForClaim(): void {
    this.backlog = true;
  }

  async isIdle(): Promise<boolean> {
    return this.inFlight === 0 && (await this.table.pendingCount()) === 0;
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await Promise.all([...this.inFlightKeys.values()]);
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /** Same-key events run one after another, in arrival order; others run side by side. */
  schedule(row: InboxRow): void {
    const previous = row.key ? this.inFlightKeys.get(row.key) : undefined;
    this.track(row.key, (previous ?? Promise.resolve()).then(() => this.runner.runClaimed(row, this.byName.get(row.handler))));
  }

  /** Counts a running handler against the slots, and makes later events of its key wait for it. */
  track(key: string | null, run: Promise<void>): void {
    this.inFlight++;
    // One reaction for the slot and the key. A run records its own failures; one that rejects all
    // the same is reported, and the next event of its key (chained on `tracked`) still runs.
    const ended = () => {
      if (key && this.inFlightKeys.get(key) === tracked) this.inFlightKeys.delete(key);
      this.inFlight--;
      if (this.backlog) this.wake();
    };
    const tracked = run.then(ended, (err: unknown) => {
      ended();
      this.onError(err);
    });
    if (key) this.inFlightKeys.set(key, tracked);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Claiming is a write transaction: claim in batches, refilling once half the slots are free.
      const concurrency = this.options.concurrency;
      if (this.inFlight > concurrency / 2) {
        this.backlog = true;
        return;
      }
      const limit = concurrency - this.inFlight;
      const now = Date.now();
      const rows = await this.table.claim(now, now + this.options.leaseMs, limit);
      // A full batch means more may be waiting: finishing handlers then pull the next ones.
      this.backlog = rows.length === limit;
      for (const row of rows) this.schedule(row);
      if (rows.length === 0) await this.armTimerForNextDue();
    } finally {
      this.pumping = false;
    }
  }

  private async armTimerForNextDue(): Promise<void> {
    const due = await this.table.nextDue();
    if (due === null) return;
    const delay = Math.max(0, due - Date.now());
    if (delay < this.options.pollMs) this.loop.wakeAfter(delay + 1);
  }
}
