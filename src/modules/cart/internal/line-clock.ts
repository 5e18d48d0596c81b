/**
 * When a cart line was added: the current time, as ISO text, and always later than the last time
 * this process gave. Lines are listed in the order they were added, by this time; two lines added
 * within one millisecond would otherwise tie and fall back to product-id order. Under more than a
 * thousand additions a second the times run ahead of the clock for as long as the burst lasts.
 * Replicas each keep their own; a tie between two of them still falls back to the product id.
 */
export class LineClock {
  private last = 0;

  now(): string {
    this.last = Math.max(Date.now(), this.last + 1);
    return new Date(this.last).toISOString();
  }
}
