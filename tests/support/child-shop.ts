import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/topology/ports.ts';
import { eventually } from './eventually.ts';
import { tempDataDir, testEnv } from './env.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The shop as a real process (`node --import tsx src/main.ts`), for what an in-process shop
 * cannot show: a kill -9 mid-flight, and a restart on the same data.
 */
export class ChildShop {
  private exited: Promise<number | null>;
  /** The process's output, for the failure message when it does not come up. */
  private output = '';

  private constructor(
    readonly dataDir: string,
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly env: Record<string, string>,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts the shop on `dataDir` (a fresh one by default) and waits until /readyz says ready. */
  static async start(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ChildShop> {
    const dataDir = options.dataDir ?? tempDataDir();
    const port = await freePort();
    const env = testEnv(dataDir, { ...options.env, PORT: String(port) });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const shop = new ChildShop(dataDir, `http://127.0.0.1:${port}`, child, options.env ?? {});
    await shop.ready();
    return shop;
  }

  private async ready(): Promise<void> {
    let gone = false;
    void this.exited.then(() => (gone = true));
    await eventually(
      async () => {
        if (gone) throw new Error(`the shop exited during start:\n${this.output}`);
        return (await fetch(`${this.url}/readyz`)).status;
      },
      (status) => status === 200 || gone,
      { timeoutMs: 30_000, intervalMs: 100, what: `${this.url}/readyz` },
    );
    if (gone) throw new Error(`the shop exited during start:\n${this.output}`);
  }

  /** Sends `signal` (SIGKILL: no goodbye at all) and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }

  /** A new process on the same data directory (and a new port). */
  restart(): Promise<ChildShop> {
    return ChildShop.start({ dataDir: this.dataDir, env: this.env });
  }

  /** A graceful stop (SIGTERM). */
  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }
}
