/** How long a transaction may wait for the ones before it before something is plainly wrong. */
const WAIT_LIMIT_MS = 30_000;

interface Waiter {
  start: () => void;
  fail: (reason: unknown) => void;
  /** When it began to wait (performance.now()). */
  since: number;
}

/**
 * One writer at a time, first come first served: the embedded engine's transactions share one
 * connection, so a transaction that awaits must not let another one's statements in.
 *
 * A plain queue of waiters, started one by one as each transaction ends: no promise chain and no
 * timer per transaction (under load half the transactions wait; the checkout's run through every
 * module makes about fourteen).
 *
 * A transaction opened inside another (a store method called without the caller's `tx`) would
 * wait for itself forever; so would every write behind it. Waiting longer than WAIT_LIMIT_MS
 * therefore fails with a message that says so, instead of hanging the module. One watchdog a
 * second looks for such waits.
 */
export class WriteLock {
  private readonly waiting: Waiter[] = [];
  private held = false;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly name: string) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.held) {
      // Free: this one starts at once, in this synchronous step (no hop).
      this.held = true;
      return this.start(work);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ start: () => this.start(work).then(resolve, reject), fail: reject, since: performance.now() });
      this.watchdog ??= setInterval(() => this.failLongWaits(), 1_000).unref();
    });
  }

  /** Stops the watchdog (the lock is not used again). */
  close(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private start<T>(work: () => Promise<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = work();
    } catch (err) {
      running = Promise.reject(err);
    }
    // The next one starts once this one has ended, whichever way.
    running.then(this.next, this.next);
    return running;
  }

  private readonly next = (): void => {
    const waiter = this.waiting.shift();
    if (waiter) waiter.start();
    else this.held = false;
  };

  private failLongWaits(): void {
    const now = performance.now();
    while (this.waiting.length > 0 && now - this.waiting[0].since > WAIT_LIMIT_MS) {
      this.waiting.shift()!.fail(
        new Error(
          `A transaction waited ${WAIT_LIMIT_MS / 1000} s for ${this.name}: a transaction held it that long, ` +
            'or one was opened inside another (pass the open transaction, `tx`, to the store methods it calls)',
        ),
      );
    }
  }
}
