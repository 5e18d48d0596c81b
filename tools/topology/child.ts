import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PROCESS_ID_HEADER } from '../../src/kernel/http/listen.ts';
import { freePort } from '../ports.ts';

export interface ChildSpec {
  name: string;
  /** Arguments after `node`. */
  args: string[];
  env: Record<string, string | undefined>;
  port: number;
  /**
   * The port was picked as "free right now" and nobody knows it yet: if another program takes it
   * before the child listens (the probe-then-listen race), the child may move to another free port
   * while it starts. Never after it was ready once: by then tests and peers hold its URL.
   */
  relocatable?: boolean;
  cwd: string;
  /** Receives every output line, already prefixed with `[name] `. */
  output: (line: string) => void;
}

const TAIL_LINES = 40;
/** How many times a relocatable child may move to another port before its start is a failure. */
const MAX_RELOCATIONS = 3;

/**
 * One process of a topology that can be killed and started again on the same port and data
 * (for fault tests). It keeps the last lines of output to explain a failed start.
 */
export class ManagedProcess {
  readonly name: string;
  private port: number;
  private mayMove: boolean;
  private relocations = 0;
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);
  private readonly recent: string[] = [];

  constructor(private readonly spec: ChildSpec) {
    this.name = spec.name;
    this.port = spec.port;
    this.mayMove = spec.relocatable ?? false;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
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
      env: { ...this.spec.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.recent.length = 0;
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
      if (!this.isRunning()) {
        if (this.lostItsPort() && (await this.relocate())) continue;
        throw new Error(`${this.name} exited (code ${this.child?.exitCode}) before it was ready. Last output:\n${this.tail()}`);
      }
      let res: Response | null = null;
      try {
        res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        last = `${res.status} ${await res.text()}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (res && !this.answerIsOurs(res)) {
        await this.kill();
        if (await this.relocate()) continue;
        throw this.portTaken(res);
      }
      if (res?.ok) {
        this.mayMove = false;
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms (last /readyz: ${last}). Last output:\n${this.tail()}`);
  }

  /** The child died because another program took its port between the probe and its listen. */
  private lostItsPort(): boolean {
    return this.recent.some((line) => line.includes('EADDRINUSE'));
  }

  /** Starts the child again on another free port, if it may move; false if it may not. */
  private async relocate(): Promise<boolean> {
    if (!this.mayMove || this.relocations >= MAX_RELOCATIONS) return false;
    this.relocations += 1;
    const lost = this.port;
    this.port = await freePort();
    this.spec.output(`[${this.name}] port ${lost} was taken by another program before ${this.name} listened: starting again on ${this.port}`);
    this.start();
    return true;
  }

  private answerIsOurs(res: Response): boolean {
    return res.headers.get(PROCESS_ID_HEADER) === String(this.child?.pid);
  }

  /** An answer on our port from another process means another program holds the port: say so. */
  private portTaken(res: Response): Error {
    const pid = res.headers.get(PROCESS_ID_HEADER);
    const who = pid ? `process ${pid}` : `a program that does not name its pid (no ${PROCESS_ID_HEADER} header: not Cleave, or a dist/ build older than this launcher)`;
    return new Error(
      `${this.url}/readyz is answered by ${who}, not by ${this.name} (pid ${this.child?.pid}): port ${this.port} is already in use. ` +
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
