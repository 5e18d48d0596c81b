/** nats-server's command line for one server of a JetStream cluster (or a lone server). */
import { NATS_CLUSTER_PORT, NATS_MONITOR_PORT } from './settings.ts';

export interface NatsServer {
  /** Server name: unique and stable across restarts (JetStream's placement depends on it). */
  name: string;
  /** Route URLs of every server of the cluster (a server skips its own); none for a lone server. */
  routes: string[];
  /** A pid file, for the lame-duck signal on shutdown. */
  pidFile?: string;
}

export function natsServerArgs(s: NatsServer): string[] {
  const args = ['--jetstream', '--store_dir', '/data/jetstream', '--server_name', s.name, '--http_port', String(NATS_MONITOR_PORT)];
  if (s.pidFile) args.push('--pid', s.pidFile);
  if (s.routes.length) args.push('--cluster_name', 'cleave', '--cluster', `nats://0.0.0.0:${NATS_CLUSTER_PORT}`, '--routes', s.routes.join(','));
  return args;
}
