/**
 * deploy/compose.yaml: the split topology on one Docker host, on PostgreSQL, with the same
 * 3-server NATS JetStream cluster as Kubernetes. Containers start once what they need is healthy.
 */
import { natsServerArgs } from './nats.ts';
import {
  HEADER,
  HTTP_PORT,
  IMAGE,
  NATS_CLIENT_PORT,
  NATS_CLUSTER_PORT,
  NATS_CLUSTER_SIZE,
  NATS_IMAGE,
  NATS_MONITOR_PORT,
  natsStreamReplicas,
  POSTGRES_PORT,
} from './settings.ts';
import { yamlFile, type Yaml } from './yaml.ts';

const natsNames = Array.from({ length: NATS_CLUSTER_SIZE }, (_, i) => `nats-${i + 1}`);
const PASSWORD = '${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/.env (see README, Deploy)}';
export const COMPOSE_DATABASE_URL = `postgres://cleave:${PASSWORD}@postgres:${POSTGRES_PORT}/shop`;
export const COMPOSE_NATS_URL = natsNames.map((n) => `nats://${n}:${NATS_CLIENT_PORT}`).join(',');

const healthy = (names: string[]): Yaml => Object.fromEntries(names.map((n) => [n, { condition: 'service_healthy' }]));

const readyz: Yaml = {
  test: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${HTTP_PORT}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
  interval: '10s',
  timeout: '5s',
  retries: 3,
  start_period: '60s',
};

function shop(command: string[], database: boolean): Record<string, Yaml> {
  return {
    image: IMAGE,
    build: { context: '..', dockerfile: 'deploy/Dockerfile' },
    restart: 'unless-stopped',
    env_file: ['cleave.env'],
    environment: {
      NATS_URL: COMPOSE_NATS_URL,
      // Every process may be the first to create the event stream: all ask for the same replicas.
      NATS_STREAM_REPLICAS: String(natsStreamReplicas(NATS_CLUSTER_SIZE)),
      ...(database ? { DATABASE_URL: COMPOSE_DATABASE_URL } : {}),
    },
    command,
    depends_on: healthy(database ? ['postgres', ...natsNames] : natsNames),
    healthcheck: readyz,
  };
}

export function renderCompose(modules: string[]): string {
  const services: Record<string, Yaml> = {
    postgres: {
      image: 'postgres:15',
      restart: 'unless-stopped',
      environment: {
        POSTGRES_USER: 'cleave',
        POSTGRES_PASSWORD: PASSWORD,
        POSTGRES_DB: 'shop',
        // Byte-order collation: lists sort as they do on SQLite (README, Storage).
        POSTGRES_INITDB_ARGS: '--encoding=UTF8 --locale=C',
      },
      // 13 processes x DATABASE_POOL_SIZE (4), with room for replicas (`--scale payment=2`).
      command: ['postgres', '-c', 'max_connections=200'],
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      healthcheck: { test: ['CMD', 'pg_isready', '-U', 'cleave', '-d', 'shop'], interval: '5s', timeout: '5s', retries: 10, start_period: '10s' },
    },
  };
  for (const name of natsNames) {
    services[name] = {
      image: NATS_IMAGE,
      restart: 'unless-stopped',
      command: natsServerArgs({ name, routes: natsNames.map((n) => `nats://${n}:${NATS_CLUSTER_PORT}`) }),
      volumes: [`${name}-data:/data`],
      healthcheck: {
        test: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${NATS_MONITOR_PORT}/healthz`],
        interval: '5s',
        timeout: '5s',
        retries: 12,
        start_period: '10s',
      },
    };
  }
  services.gateway = { ...shop(['--modules', 'none', '--gateway'], false), ports: [`${HTTP_PORT}:${HTTP_PORT}`] };
  for (const m of modules) services[m] = shop(['--modules', m], true);

  const comment =
    'The split topology on one Docker host: PostgreSQL, a 3-server NATS JetStream cluster, one\n' +
    'container per module and the HTTP gateway on port 3000. Before the first start:\n' +
    '  cp deploy/cleave.env.example deploy/cleave.env            # then fill it in\n' +
    '  echo "POSTGRES_PASSWORD=$(openssl rand -hex 16)" > deploy/.env\n' +
    '  docker compose -f deploy/compose.yaml up -d --build\n' +
    'Modules keep no state in their containers: `--scale payment=2` runs two payment replicas.';
  return yamlFile(HEADER, [
    {
      comment,
      value: {
        name: 'cleave',
        services,
        volumes: Object.fromEntries(['postgres-data', ...natsNames.map((n) => `${n}-data`)].map((v) => [v, {}])),
      },
    },
  ]);
}
