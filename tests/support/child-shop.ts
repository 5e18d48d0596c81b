import { START_TIMEOUT_MS, startTopology, type TestTopology } from './processes.ts';

/**
 * The whole shop as one real process (the "monolith" topology, started by processes.ts), for
 * what an in-process shop cannot show: a kill -9 mid-flight, and a restart on the same data.
 */
export class ChildShop {
  private constructor(private readonly topology: TestTopology) {}

  /** Starts the shop on `dataDir` (a fresh one by default) and waits until /readyz says ready. */
  static async start(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ChildShop> {
    return new ChildShop(await startTopology('monolith', options));
  }

  get url(): string {
    return this.topology.gatewayUrl;
  }

  get dataDir(): string {
    return this.topology.dataDir;
  }

  /** Sends `signal` (SIGKILL: no goodbye at all) and waits for the process to end. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.process().kill(signal);
  }

  /** Starts the process again on the same data directory and port, once it is gone; waits until it is ready. */
  async restart(): Promise<ChildShop> {
    await this.process().restart({ timeoutMs: START_TIMEOUT_MS });
    return this;
  }

  /** A graceful stop (SIGTERM). */
  stop(): Promise<void> {
    return this.topology.stop();
  }

  private process() {
    const [only] = this.topology.processes.values();
    return only;
  }
}
