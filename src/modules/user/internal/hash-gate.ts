import { availableParallelism } from 'node:os';
import { unavailable } from '../../../kernel/errors.ts';

/**
 * Lets a few password hashes run at once; the others wait in line, first come first served.
 *
 * One scrypt hash at SCRYPT_COST 17 takes ~128 MiB and 0.5-1.5 s of a core. Started together, twenty
 * share the cores and libuv's four threads: measured on a busy 2-core host, a single sign-in took
 * 1.4 s, twenty at once answered in waves of four from 5 s to 32 s, and a sign-in sent meanwhile
 * waited 36 s. Those threads also sign new tokens (WebCrypto). At most two at a time (the cores of
 * our hosts) keeps each hash near its own speed and leaves two threads to the rest of the shop.
 *
 * The line is bounded by time, not by length: a request is refused at once when the hashes ahead of
 * it would take longer than `maxWaitMs` (judged from how long recent hashes took). So the same gate
 * queues hundreds of cheap test-cost hashes yet only a handful of production-cost ones.
 *
 * The refusal is a 503 (`unavailable`), not a 429: it says the server is busy, not that this
 * client asked too often. Someone who sends one sign-in during another client's flood did nothing
 * wrong, and clients and load balancers retry a 503 later or elsewhere. A client's own repeated
 * failures get the 429s of the sign-in throttle, which answer before any hashing.
 */
export class HashGate {
  private running = 0;
  private readonly line: Array<() => void> = [];
  /** Moving average of recent hash durations; unknown until the first one finishes. */
  private averageMs: number | undefined;

  constructor(
    readonly slots = Math.max(1, Math.min(availableParallelism(), 2)),
    private readonly maxWaitMs = 2_000,
    /** A bound for the line while no hash has been timed yet (just after start). */
    private readonly maxLine = 64,
  ) {}

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.running < this.slots) this.running++;
    else {
      this.refuseIfTooLong();
      // The slot is handed over by the hash that finishes, so `running` stays as it is.
      await new Promise<void>((resolve) => this.line.push(resolve));
    }
    const started = performance.now();
    try {
      return await hash();
    } finally {
      this.observe(performance.now() - started);
      const next = this.line.shift();
      if (next) next();
      else this.running--;
    }
  }

  private refuseIfTooLong(): void {
    const ahead = this.line.length + 1;
    const expectedWaitMs = (ahead / this.slots) * (this.averageMs ?? 0);
    if (this.line.length >= this.maxLine || expectedWaitMs > this.maxWaitMs) {
      throw unavailable('The server is busy checking other passwords; try again in a few seconds');
    }
  }

  private observe(ms: number): void {
    this.averageMs = this.averageMs === undefined ? ms : this.averageMs * 0.8 + ms * 0.2;
  }
}
