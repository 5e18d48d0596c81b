/**
 * Runs the work on one order one piece at a time within this process, so a cancellation never
 * interleaves with a saga step half-way. (Across replicas, conditional updates and idempotent
 * remote calls keep the outcome right; this only keeps the common case simple.)
 */
export class OrderLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(orderId: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(orderId) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.tails.set(orderId, tail);
    void tail.then(() => {
      if (this.tails.get(orderId) === tail) this.tails.delete(orderId);
    });
    return result;
  }
}
