import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startShop } from '../../src/app/start.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { NatsTransport } from '../../src/kernel/nats/nats-transport.ts';
import { dropNamespace, SHARED_NATS_URL, uniqueNamespace } from '../../tools/nats-namespaces.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { ManagedProcess } from '../../tools/topology/child.ts';
import { launchTopology } from '../../tools/topology/launch.ts';
import { testEnv } from '../support/env.ts';

/**
 * A port another program holds: the shop must refuse to start (exit 1, saying which port and what
 * to do) instead of saying "listening" and living on without it, and the topology launcher must not
 * take the other program's /readyz for its own child's.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const inUse = (port: number) => `PORT ${port} is already in use (EADDRINUSE): stop the program using it or set PORT`;

/** The whole shop in one process named `shop`. */
const oneProcess = { processes: [{ name: 'shop', modules: 'all' as const, gateway: true }] };

const blockers: Array<{ server: Server; sockets: Set<Socket> }> = [];
afterEach(async () => {
  for (const { server, sockets } of blockers.splice(0)) {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const s of sockets) s.destroy();
    await closed;
  }
});

/** Holds a port on every interface, as another program would; `http` answers 200 to everything (a foreign /readyz). */
async function anotherProgram(kind: 'http' | 'silent-tcp'): Promise<number> {
  const server: Server =
    kind === 'http'
      ? createHttpServer((_req, res) => res.setHeader('content-type', 'application/json').end('{"status":"ready"}'))
      : createTcpServer(() => {}); // accepts connections, never answers
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => resolve());
  });
  blockers.push({ server, sockets });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Runs the shop's entry (`npm start`) to its end; gives its exit code and everything it printed. */
function runEntry(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the shop was still running after ${timeoutMs} ms (it should have exited). Output:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('start on a port that is already in use', () => {
  it('`npm start` exits 1 naming the port and what to do, and never says "listening"', async () => {
    const port = await anotherProgram('http');
    const { code, output } = await runEntry(testEnv(tempDataDir(), { PORT: String(port), LOG_LEVEL: 'info' }));
    expect(output).toContain(inUse(port));
    expect(output).not.toMatch(/\blistening\b/);
    expect(code).toBe(1);
  }, 70_000);

  it('startShop stops what it started: a module process without its port no longer answers over NATS', async () => {
    const port = await anotherProgram('http');
    const namespace = uniqueNamespace('port');
    const config = loadConfig(testEnv(tempDataDir(), { PORT: String(port), NATS_URL: SHARED_NATS_URL, NATS_NAMESPACE: namespace }));
    const probe = await NatsTransport.connect({ url: SHARED_NATS_URL, namespace, logger, rpcTimeoutMs: 1_000, hostedModules: [] });
    try {
      await expect(startShop(config, { hosted: ['user'], gateway: false, checkTopology: false }, logger)).rejects.toThrow(inUse(port));
      expect(await probe.unreachable(['user'])).toEqual(['user']);
    } finally {
      await probe.close();
      await dropNamespace(namespace);
    }
  });

  it('the launcher refuses a port whose /readyz another program answers, instead of calling the topology ready', async () => {
    const port = await anotherProgram('http');
    const launched = launchTopology(oneProcess, { basePort: port, env: testEnv(tempDataDir()), output: () => {}, readyTimeoutMs: 60_000 });
    const outcome = await launched.then(
      async (topology) => {
        await topology.stop();
        return 'called ready';
      },
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    expect(outcome).toContain(`/readyz is answered by a program that does not name its pid (no X-Cleave-Pid header: not Cleave, or a dist/ build older than this launcher), not by shop (pid`);
    expect(outcome).toContain(`port ${port} is already in use`);
  }, 70_000);

  it('the launcher reports its child exiting, with the reason, when the port holder does not answer HTTP', async () => {
    const port = await anotherProgram('silent-tcp');
    const launched = launchTopology(oneProcess, { basePort: port, env: testEnv(tempDataDir(), { LOG_LEVEL: 'warn' }), output: () => {}, readyTimeoutMs: 60_000 });
    const outcome = await launched.then(
      async (topology) => {
        await topology.stop();
        return 'called ready';
      },
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    expect(outcome).toContain('shop exited (code 1) before it was ready');
    expect(outcome).toContain(inUse(port));
  }, 70_000);

  // A launcher on free ports probes a port and its child listens on it a moment later: another
  // program can take it in between (seen in CI). Such a child moves; a child on a port the user
  // chose never does (the tests above).
  for (const kind of ['silent-tcp', 'http'] as const) {
    it(`a child on a free port that another program takes first (${kind}) starts again on another port`, async () => {
      const taken = await anotherProgram(kind);
      const lines: string[] = [];
      const child = new ManagedProcess({
        name: 'shop',
        args: ['--import', 'tsx', 'src/main.ts'],
        env: testEnv(tempDataDir(), { LOG_LEVEL: 'warn' }),
        port: taken,
        relocatable: true,
        cwd: REPO,
        output: (line) => lines.push(line),
      });
      child.start();
      try {
        await child.waitReady(60_000);
        expect(child.url).not.toBe(`http://127.0.0.1:${taken}`);
        expect(lines.join('\n')).toContain(`port ${taken} was taken by another program before shop listened: starting again on`);
        const ready = await fetch(`${child.url}/readyz`);
        expect(ready.headers.get('x-cleave-pid')).toBe(String(child.pid));
      } finally {
        await child.stop();
      }
    }, 70_000);
  }
});
