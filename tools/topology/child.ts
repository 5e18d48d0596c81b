import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PROCESS_ID_HEADER } from '../../src/kernel/http/listen.ts';

export interface ChildSpec {
  name: string;
  /** Arguments after `node`. */
  args: string[];
  env: Record<string, string | undefined>;
  port: number;
  cwd: string;
  /** Receives every output line, already prefixed with `[name] `. */
  output: (line: string) => void;
}

const TAIL_LINES = 40;

/**
 * One process of a topology that can be killed and started again on the same port and data
 * (for fault tests). It keeps the last lines of output to explain a failed start.
 */
export class ManagedProcess {
  readonly name: string;
  readonly url: string;
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);
  private readonly recent: string[] = [];

  constructor(private readonly spec: ChildSpec) {
    this.name = spec.name;
    this.url = `http://127.0.0.1:${spec.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.isRunning()) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...this.spec.env, PORT: String(this.spec.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.line(line));
    }
  }

  /**
   * Polls GET /readyz until this process (not some other program on its port: the answer names
   * its pid) answers 200. Fails early if the process exits or another program answers instead.
   */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.isRunning()) throw new Error(`${this.name} exited (code ${this.child?.exitCode}) before it was ready. Last output:\n${this.tail()}`);
      let res: Response | null = null;
      try {
        res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        last = `${res.status} ${await res.text()}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (res) {
        this.checkAnswerIsOurs(res);
        if (res.ok) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms (last /readyz: ${last}). Last output:\n${this.tail()}`);
  }

  /** An answer on our port from another process means another program holds the port: say so now. */
  private checkAnswerIsOurs(res: Response): void {
    const pid = res.headers.get(PROCESS_ID_HEADER);
    const ours = String(this.child?.pid);
    if (pid === ours) return;
    const who = pid ? `process ${pid}` : `a program that does not name its pid (no ${PROCESS_ID_HEADER} header: not Cleave, or a dist/ build older than this launcher)`;
    throw new Error(
      `${this.url}/readyz is answered by ${who}, not by ${this.name} (pid ${ours}): port ${this.spec.port} is already in use. ` +
        'Stop the program using it, or start the topology on other ports (PORT=<base port>).',
    );
  }

  /** Sends a signal (default SIGKILL: a crash) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.isRunning()) return;
    this.child!.kill(signal);
    await this.exit;
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.isRunning()) return;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** Stops the process if it runs, starts it again, and (by default) waits until it is ready. */
  async restart(options: { waitReady?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await this.stop();
    this.start();
    if (options.waitReady ?? true) await this.waitReady(options.timeoutMs);
  }

  /** The last lines of output (for error messages). */
  tail(): string {
    return this.recent.join('\n');
  }

  private line(line: string): void {
    this.recent.push(line);
    if (this.recent.length > TAIL_LINES) this.recent.shift();
    this.spec.output(`[${this.name}] ${line}`);
  }
}
