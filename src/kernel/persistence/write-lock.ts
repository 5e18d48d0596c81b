/** How long a transaction may wait for the one before it before something is plainly wrong. */
const WAIT_LIMIT_MS = 30_000;

/**
 * One writer at a time, first come first served: the embedded engine's transactions share one
 * connection, so a transaction that awaits must not let another one's statements in.
 *
 * A transaction opened inside another (a store method called without the caller's `tx`) would
 * wait for itself forever; so would every write behind it. Waiting longer than WAIT_LIMIT_MS
 * therefore fails with a message that says so, instead of hanging the module.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();
  /** Transactions running or waiting: none, and the next one starts at once (no timer, no hop). */
  private held = 0;

  constructor(private readonly name: string) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.held === 0 ? undefined : this.tail;
    this.held++;
    const run = (previous ? waitFor(previous, this.name).then(work) : work()).finally(() => {
      this.held--;
    });
    // The next one waits for this one to finish, not merely to start (nor merely to give up waiting).
    const settled = run.catch(() => undefined);
    this.tail = previous ? Promise.all([previous.catch(() => undefined), settled]) : settled;
    return run;
  }
}

function waitFor(previous: Promise<unknown>, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `A transaction waited ${WAIT_LIMIT_MS / 1000} s for ${name}: a transaction held it that long, ` +
            'or one was opened inside another (pass the open transaction, `tx`, to the store methods it calls)',
        ),
      );
    }, WAIT_LIMIT_MS);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    previous.then(done, done);
  });
}
