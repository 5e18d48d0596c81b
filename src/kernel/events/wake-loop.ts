/**
 * The wake-up loop the outbox relay and the inbox dispatcher share: work runs soon after a wake
 * (many wakes within one event-loop turn collapse into one run) and on a poll, so work left from
 * before a crash, or missed by a wake, is found anyway.
 */
export class WakeLoop {
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly pollMs: number,
    private readonly work: () => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Runs the work on the next turn unless a run is already due; nothing once stopped. */
  wake(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // A wake may fire after stop() (and the database closed): then there is nothing left to do.
      if (!this.stopped) this.work();
    });
  }

  /** Wakes once `delayMs` from now (a retry's backoff, the next due row). */
  wakeAfter(delayMs: number): void {
    setTimeout(() => this.wake(), delayMs).unref();
  }

  /** Stops polling; wakes still run the work until `stop`. */
  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  stop(): void {
    this.stopPolling();
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
