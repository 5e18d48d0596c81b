/**
 * The shop's own workloads on Kubernetes: the gateway, and each module either as a Deployment
 * that scales (PostgreSQL) or as a StatefulSet of one replica with its own volume (SQLite).
 */
import type { Yaml, YamlDoc } from './yaml.ts';
import {
  APP_SECRET,
  APP_UID,
  CPU_TARGET_PERCENT,
  DATABASE_SECRET,
  GATEWAY_MAX_REPLICAS,
  GATEWAY_REPLICAS,
  HTTP_PORT,
  IMAGE,
  MODULE_MAX_REPLICAS,
  MODULE_REPLICAS,
  NAMESPACE,
  appResources,
  labels,
} from './settings.ts';

export const meta = (name: string, extra: Record<string, string> = {}): Yaml => ({ name, namespace: NAMESPACE, ...(Object.keys(extra).length ? { labels: extra } : {}) });

interface ContainerOptions {
  /** DATABASE_URL from the database Secret (PostgreSQL mode). */
  database: boolean;
  /** A volume at /data for the module's SQLite file (SQLite mode). */
  volume: boolean;
  /** Let the load balancer stop sending before the process drains (the gateway). */
  preStopSleep?: number;
}

function container(name: string, args: string[], o: ContainerOptions): Yaml {
  return {
    name,
    image: IMAGE,
    args,
    ports: [{ name: 'http', containerPort: HTTP_PORT }],
    envFrom: [{ configMapRef: { name: 'cleave-config' } }, { secretRef: { name: APP_SECRET } }],
    env: o.database ? [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: DATABASE_SECRET } }] : undefined,
    resources: appResources,
    // /healthz answers once the process has opened its databases and started listening;
    // /readyz once its start-up work is done and its database and broker connections are up.
    startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 60 },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    lifecycle: o.preStopSleep ? { preStop: { exec: { command: ['sleep', String(o.preStopSleep)] } } } : undefined,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: o.volume ? [{ name: 'data', mountPath: '/data' }] : undefined,
  };
}

function podSpec(selector: Record<string, string>, c: Yaml, fsGroup: boolean): Yaml {
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: APP_UID,
      runAsGroup: APP_UID,
      // The volume's files belong to the image's user, so the non-root process can write its database.
      ...(fsGroup ? { fsGroup: APP_UID, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationGracePeriodSeconds: 30,
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
    ],
    containers: [c],
  };
}

const selectorOf = (name: string) => ({ 'cleave/module': name });

function autoscaler(name: string, min: number, max: number): YamlDoc {
  return {
    comment: `Adds ${name} replicas when their CPU use passes ${CPU_TARGET_PERCENT}% of the request, up to ${max}.`,
    value: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: min,
        maxReplicas: max,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: CPU_TARGET_PERCENT } } }],
      },
    },
  };
}

function disruptionBudget(name: string): YamlDoc {
  return {
    comment: `Node drains leave at least one ${name} replica running.`,
    value: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(name), spec: { minAvailable: 1, selector: { matchLabels: selectorOf(name) } } },
  };
}

/** The HTTP edge: hosts no module, reaches them all over NATS; the only pods reachable from outside. */
export function gateway(): YamlDoc[] {
  const l = labels('gateway', 'gateway');
  return [
    {
      comment: 'The HTTP API. Stateless: scale it freely.',
      value: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta('gateway', l),
        spec: {
          replicas: GATEWAY_REPLICAS,
          selector: { matchLabels: selectorOf('gateway') },
          template: {
            metadata: { labels: l },
            spec: podSpec(selectorOf('gateway'), container('gateway', ['--modules', 'none', '--gateway'], { database: false, volume: false, preStopSleep: 5 }), false),
          },
        },
      },
    },
    autoscaler('gateway', GATEWAY_REPLICAS, GATEWAY_MAX_REPLICAS),
    disruptionBudget('gateway'),
    {
      value: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta('gateway', l),
        spec: { selector: selectorOf('gateway'), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    },
    {
      comment: 'Point your ingress controller (or change this to your Gateway API route) at the gateway Service.',
      value: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: meta('cleave'),
        spec: {
          rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'gateway', port: { name: 'http' } } } }] } }],
        },
      },
    },
  ];
}

/** PostgreSQL mode: a module keeps no state in its pod, so it is a Deployment that scales. */
export function scalingModule(m: string): YamlDoc[] {
  const l = labels('module', m);
  return [
    {
      comment:
        `Module ${m} on PostgreSQL: no volume, any number of replicas on any node. Replicas share\n` +
        `its calls (a NATS queue group) and its events, and its data in PostgreSQL (schema ${m.replaceAll('-', '_')}).`,
      value: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta(m, l),
        spec: {
          replicas: MODULE_REPLICAS,
          selector: { matchLabels: selectorOf(m) },
          template: { metadata: { labels: l }, spec: podSpec(selectorOf(m), container(m, ['--modules', m], { database: true, volume: false }), false) },
        },
      },
    },
    autoscaler(m, MODULE_REPLICAS, MODULE_MAX_REPLICAS),
    disruptionBudget(m),
  ];
}

export const SQLITE_WARNING =
  'SQLite mode: ONE replica, never more. Do not scale this StatefulSet (no `kubectl scale`,\n' +
  'no autoscaler, no replicas above 1): each replica would get its own volume, so its own\n' +
  'separate copy of the data, and callers would be answered from each in turn. To run more\n' +
  'than one replica, move the module to PostgreSQL and use deploy/k8s/.';

/** SQLite mode: the module's data is a file on its own volume, so exactly one replica. */
export function sqliteModule(m: string): YamlDoc[] {
  const l = labels('module', m);
  return [
    {
      comment: `Module ${m} on SQLite (DATA_DIR=/data on its own volume).`,
      value: {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta(m, l),
        spec: {
          serviceName: m,
          replicas: 1,
          selector: { matchLabels: selectorOf(m) },
          template: { metadata: { labels: l }, spec: podSpec(selectorOf(m), container(m, ['--modules', m], { database: false, volume: true }), true) },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      },
    },
    {
      comment: 'Required by the StatefulSet (stable pod names); nothing calls the module over HTTP.',
      value: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(m, l),
        spec: { clusterIP: 'None', selector: selectorOf(m), ports: [{ name: 'http', port: HTTP_PORT, targetPort: 'http' }] },
      },
    },
  ];
}
