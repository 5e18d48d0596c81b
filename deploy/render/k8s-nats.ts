/**
 * NATS with JetStream on Kubernetes: a StatefulSet whose pods find each other through a headless
 * Service (nats-0.nats, nats-1.nats, ...). Three servers in PostgreSQL mode (a cluster that keeps
 * working when one node goes), one in SQLite mode (the whole shop lives on one node anyway).
 */
import type { YamlDoc } from './yaml.ts';
import { meta } from './k8s-app.ts';
import { natsServerArgs } from './nats.ts';
import { NATS_CLIENT_PORT, NATS_CLUSTER_PORT, NATS_IMAGE, NATS_MONITOR_PORT, labels, natsResources } from './settings.ts';

const PID_FILE = '/tmp/nats.pid';

function natsArgs(servers: number): string[] {
  const routes = servers > 1 ? Array.from({ length: servers }, (_, i) => `nats://nats-${i}.nats:${NATS_CLUSTER_PORT}`) : [];
  // $(POD_NAME) is expanded by Kubernetes from the env below: nats-0, nats-1, ...
  return natsServerArgs({ name: '$(POD_NAME)', routes, pidFile: PID_FILE });
}

export function nats(servers: number): YamlDoc[] {
  const l = labels('nats');
  const selector = { 'cleave/role': 'nats' };
  const ports = [
    { name: 'client', containerPort: NATS_CLIENT_PORT },
    ...(servers > 1 ? [{ name: 'cluster', containerPort: NATS_CLUSTER_PORT }] : []),
    { name: 'monitor', containerPort: NATS_MONITOR_PORT },
  ];
  return [
    {
      comment:
        'Headless: every server has a stable name (nats-0.nats, ...). Clients list them all in NATS_URL;\n' +
        'not-ready servers are published too, so the cluster can form before any server is ready.',
      value: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta('nats', l),
        spec: {
          clusterIP: 'None',
          publishNotReadyAddresses: true,
          selector,
          ports: ports.map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name })),
        },
      },
    },
    {
      comment:
        servers > 1
          ? `NATS: a ${servers}-server JetStream cluster, file storage on a volume per server. It keeps\n` +
            'serving while a majority of servers is up; streams survive losing a server when they are\n' +
            `created with ${servers} replicas.`
          : 'NATS: one JetStream server, file storage on its volume (SQLite mode runs on one node).',
      value: {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta('nats', l),
        spec: {
          serviceName: 'nats',
          replicas: servers,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: l },
            spec: {
              terminationGracePeriodSeconds: 60,
              topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
              ],
              containers: [
                {
                  name: 'nats',
                  image: NATS_IMAGE,
                  args: natsArgs(servers),
                  env: [
                    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                    // Keeps the Go heap under the memory limit.
                    { name: 'GOMEMLIMIT', value: '900MiB' },
                  ],
                  ports,
                  resources: natsResources,
                  startupProbe: { httpGet: { path: '/healthz', port: 'monitor' }, periodSeconds: 5, failureThreshold: 90 },
                  readinessProbe: { httpGet: { path: '/healthz?js-server-only=true', port: 'monitor' }, periodSeconds: 10, failureThreshold: 3 },
                  livenessProbe: { httpGet: { path: '/healthz?js-enabled-only=true', port: 'monitor' }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
                  // Lame duck mode: clients move to another server before this one stops.
                  lifecycle: { preStop: { exec: { command: ['nats-server', '--signal', `ldm=${PID_FILE}`] } } },
                  volumeMounts: [{ name: 'data', mountPath: '/data' }],
                },
              ],
            },
          },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }],
        },
      },
    },
    {
      comment: 'Drains take one NATS server at a time.',
      value: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('nats'), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
    },
  ];
}
