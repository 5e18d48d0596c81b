/**
 * One writer at a time, first come first served: the embedded engine's transactions share one
 * connection, so a transaction that awaits must not let another one's statements in.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();
  private held = false;

  get isHeld(): boolean {
    return this.held;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      this.held = true;
      try {
        return await work();
      } finally {
        this.held = false;
      }
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
