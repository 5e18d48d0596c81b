import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { allocatePorts } from '../../tools/ports.ts';
import { testTmpDir } from '../../tools/temp-dirs.ts';
import { eventually } from './eventually.ts';

/**
 * A JetStream cluster of the test's own: `size` local nats-server processes on free ports (client,
 * route and monitoring port each), each with a private store directory and a stable server name
 * (n1, n2, ...), routed to one another. The test may kill any of them; the shared server on 4222
 * is never touched. Everything is killed and deleted by dispose(), and killed if the test process
 * exits first.
 */
export interface ClusterServer {
  name: string;
  clientPort: number;
  routePort: number;
  monitorPort: number;
  storeDir: string;
  process: ChildProcess | null;
}

export class NatsCluster {
  private constructor(
    readonly clusterName: string,
    readonly servers: ClusterServer[],
  ) {}

  /** Starts the servers and resolves once every one of them agrees on a JetStream meta leader. */
  static async start(size = 3, { readyTimeoutMs = 30_000 } = {}): Promise<NatsCluster> {
    const ports = await allocatePorts(size * 3, 'free');
    const servers: ClusterServer[] = Array.from({ length: size }, (_, i) => ({
      name: `n${i + 1}`,
      clientPort: ports[i * 3],
      routePort: ports[i * 3 + 1],
      monitorPort: ports[i * 3 + 2],
      storeDir: mkdtempSync(join(testTmpDir(), `cleave-nats-n${i + 1}-`)),
      process: null,
    }));
    const cluster = new NatsCluster(`cleave_t${process.pid}`, servers);
    killOnExit(cluster);
    try {
      for (const s of servers) cluster.spawn(s);
      await cluster.waitForMetaLeader(readyTimeoutMs);
    } catch (err) {
      await cluster.dispose();
      throw err;
    }
    return cluster;
  }

  /** NATS_URL for clients: every server, comma-separated. */
  get url(): string {
    return this.servers.map((s) => `nats://127.0.0.1:${s.clientPort}`).join(',');
  }

  server(name: string): ClusterServer {
    const s = this.servers.find((x) => x.name === name);
    if (!s) throw new Error(`No server ${name} in the cluster (${this.servers.map((x) => x.name).join(', ')})`);
    return s;
  }

  running(): ClusterServer[] {
    return this.servers.filter((s) => isAlive(s.process));
  }

  /** What a server's monitoring endpoint answers (JSON), e.g. `/jsz?streams=true`. */
  async monitor<T = Record<string, unknown>>(server: ClusterServer, path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${server.monitorPort}${path}`, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) throw new Error(`${server.name} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }

  /**
   * The stream's placement as its leader's monitoring API (/jsz?streams=true) reports it: the
   * leader's server name, and its followers with whether each is current. (Another server's view
   * lists the replicas other than itself, and cannot tell whether they are current.)
   */
  async streamPlacement(stream: string): Promise<{ leader: string; followers: Array<{ name: string; current: boolean }> } | undefined> {
    for (const s of this.running()) {
      const jsz = await this.monitor<Jsz>(s, '/jsz?streams=true').catch(() => undefined);
      const detail = jsz?.account_details?.flatMap((a) => a.stream_detail ?? []).find((d) => d.name === stream);
      if (detail?.cluster?.leader === s.name) {
        return { leader: s.name, followers: (detail.cluster.replicas ?? []).map((r) => ({ name: r.name, current: r.current })) };
      }
    }
    return undefined;
  }

  /** SIGKILL: the server dies as a crashed host would, without telling its clients or peers. */
  async kill(name: string): Promise<void> {
    const child = this.server(name).process;
    if (!isAlive(child)) return;
    const gone = new Promise((resolve) => child!.once('exit', resolve));
    child!.kill('SIGKILL');
    await gone;
  }

  /** Kills every server and deletes their store directories. */
  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((s) => this.kill(s.name)));
    for (const s of this.servers) rmSync(s.storeDir, { recursive: true, force: true });
  }

  private spawn(s: ClusterServer): void {
    const binary = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
    const routes = this.servers.map((x) => `nats://127.0.0.1:${x.routePort}`).join(',');
    // -a also binds the monitoring port to 127.0.0.1.
    const args = ['-a', '127.0.0.1', '-p', String(s.clientPort), '-m', String(s.monitorPort), '-js', '-sd', s.storeDir, '-n', s.name];
    args.push('--cluster_name', this.clusterName, '--cluster', `nats://127.0.0.1:${s.routePort}`, '--routes', routes);
    args.push('-l', join(s.storeDir, 'server.log'));
    s.process = spawn(binary, args, { stdio: 'ignore' });
    s.process.once('error', () => undefined); // a missing binary shows as the exit below
  }

  /** Every server up, in a cluster of all of them, naming the same JetStream meta leader. */
  private async waitForMetaLeader(timeoutMs: number): Promise<void> {
    await eventually(
      async () => {
        const dead = this.servers.find((s) => !isAlive(s.process));
        if (dead) throw new Error(`nats-server ${dead.name} exited (code ${dead.process?.exitCode}); is /usr/sbin/nats-server installed? Its log: ${join(dead.storeDir, 'server.log')}`);
        const health = await Promise.all(this.servers.map((s) => fetch(`http://127.0.0.1:${s.monitorPort}/healthz?js-enabled-only=true`).then((r) => r.status)));
        if (health.some((h) => h !== 200)) return { health };
        const metas = await Promise.all(this.servers.map((s) => this.monitor<Jsz>(s, '/jsz').then((j) => j.meta_cluster)));
        return { health, leaders: metas.map((m) => m?.leader ?? ''), sizes: metas.map((m) => m?.cluster_size ?? 0) };
      },
      (v) => 'leaders' in v && v.leaders!.every((l) => l !== '' && l === v.leaders![0]) && v.sizes!.every((n) => n === this.servers.length),
      { timeoutMs, intervalMs: 200, what: `a JetStream meta leader all ${this.servers.length} servers agree on` },
    );
  }
}

interface Jsz {
  meta_cluster?: { name?: string; leader?: string; cluster_size?: number };
  account_details?: Array<{
    stream_detail?: Array<{ name: string; cluster?: { leader?: string; replicas?: Array<{ name: string; current: boolean }> } }>;
  }>;
}

function isAlive(child: ChildProcess | null): boolean {
  return child !== null && child.exitCode === null && child.signalCode === null;
}

function killOnExit(cluster: NatsCluster): void {
  process.once('exit', () => {
    for (const s of cluster.servers) {
      try {
        if (isAlive(s.process)) s.process!.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}
