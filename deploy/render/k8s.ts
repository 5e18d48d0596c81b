/**
 * The two Kubernetes layouts. deploy/k8s/: PostgreSQL mode, the default, where every module
 * scales. deploy/k8s-sqlite/: SQLite mode, one replica per module with its own volume.
 */
import { SQLITE_WARNING, gateway, meta, scalingModule, sqliteModule } from './k8s-app.ts';
import { nats } from './k8s-nats.ts';
import { networkPolicies } from './k8s-network.ts';
import {
  APP_SECRET,
  CNPG_CLUSTER,
  DATABASE_POOL_SIZE,
  DATABASE_SECRET,
  HEADER,
  HTTP_PORT,
  IMAGE_NAME,
  MODULE_MAX_REPLICAS,
  NAMESPACE,
  NATS_CLUSTER_SIZE,
  natsStreamReplicas,
  natsUrlK8s,
} from './settings.ts';
import { yamlFile, type Yaml, type YamlDoc } from './yaml.ts';

/**
 * Named `Kustomization`, a name kustomize reads and `kubectl apply -f` skips (it takes only
 * .yaml/.yml/.json files, and would fail on a kustomization.yaml as an unknown kind).
 */
export const KUSTOMIZATION = 'Kustomization';

const namespace: YamlDoc[] = [{ value: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } }];

function config(o: { natsServers: number; postgres: boolean }): YamlDoc[] {
  const data: Record<string, Yaml> = {
    NODE_ENV: 'production',
    PORT: String(HTTP_PORT),
    DATA_DIR: '/data',
    LOG_LEVEL: 'info',
    PAYMENT_GATEWAY: '',
    NATS_URL: natsUrlK8s(o.natsServers),
    NATS_STREAM_REPLICAS: String(natsStreamReplicas(o.natsServers)),
  };
  if (o.postgres) data.DATABASE_POOL_SIZE = String(DATABASE_POOL_SIZE);
  const comment = [
    'Settings every Cleave process reads (README, Configuration). Secrets are not here: they are in the',
    `Secret ${APP_SECRET}, which you create (deploy/k8s/secrets.example.env says how).`,
    'PAYMENT_GATEWAY: no real card processor exists yet (README, "Payments"): production starts only',
    'with "test", the built-in gateway that takes test cards and charges nobody. Set it in the Secret',
    `${APP_SECRET} (envFrom lists the Secret last, so it wins) or here with a kustomize patch.`,
    'SHOP_URL: add your public address (https://shop.example.com) the same way: order emails link to',
    '<SHOP_URL>/order/<id>, the storefront page the gateway serves; unset, they point at localhost.',
    o.natsServers > 1
      ? 'NATS_URL lists every server of the cluster: the client fails over between them.\n' +
        `NATS_STREAM_REPLICAS: the event stream is kept on ${natsStreamReplicas(o.natsServers)} servers, so losing one loses no event;\n` +
        'delivery pauses only while the cluster elects new leaders (seconds).'
      : 'NATS_URL: the one NATS server; NATS_STREAM_REPLICAS: one copy of the event stream, on it.',
    ...(o.postgres
      ? [
          `DATABASE_URL comes from the Secret ${DATABASE_SECRET.name} (key ${DATABASE_SECRET.key}): written by CloudNativePG`,
          `for optional/cnpg-cluster.yaml, or created by you for an external server. Connections:`,
          `DATABASE_POOL_SIZE x replicas of every module (up to 12 x ${MODULE_MAX_REPLICAS} x ${DATABASE_POOL_SIZE} here).`,
          'DATA_DIR needs no volume here: no module keeps a file in it when its data is on PostgreSQL.',
        ]
      : []),
  ].join('\n');
  return [{ comment, value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cleave-config'), data } }];
}

function kustomization(files: string[], mode: string): string {
  return yamlFile(HEADER, [
    {
      comment:
        `${mode}: kubectl apply -k <this directory>. Set the image with\n` +
        `  kustomize edit set image ${IMAGE_NAME}=registry.example.com/cleave:1.0\n` +
        'or by editing newName and newTag below. This file is named `Kustomization`, a name kustomize\n' +
        'reads and `kubectl apply -f <this directory>` skips, so that works too (with the image as written).',
      value: {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: files,
        images: [{ name: IMAGE_NAME, newName: IMAGE_NAME, newTag: 'latest' }],
      },
    },
  ]);
}

function withKustomization(docs: Record<string, YamlDoc[]>, mode: string, fileComments: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, d] of Object.entries(docs)) out[file] = yamlFile(fileComments[file] ? `${HEADER}\n\n${fileComments[file]}` : HEADER, d);
  out[KUSTOMIZATION] = kustomization(Object.keys(docs), mode);
  return out;
}

/** deploy/k8s/: PostgreSQL mode. */
export function renderKubernetes(modules: string[]): Record<string, string> {
  const docs: Record<string, YamlDoc[]> = {
    '00-namespace.yaml': namespace,
    '01-config.yaml': config({ natsServers: NATS_CLUSTER_SIZE, postgres: true }),
    '05-nats.yaml': nats(NATS_CLUSTER_SIZE),
    '10-gateway.yaml': gateway(),
  };
  for (const m of modules) docs[`20-module-${m}.yaml`] = scalingModule(m);
  docs['30-network-policies.yaml'] = networkPolicies(modules, { postgres: true, natsCluster: true });
  return {
    ...withKustomization(docs, 'PostgreSQL mode (every module scales)'),
    'optional/cnpg-cluster.yaml': yamlFile(HEADER, cnpgCluster(modules.length)),
    'secrets.example.env': secretsExample(),
  };
}

/** deploy/k8s-sqlite/: SQLite mode, one node. */
export function renderKubernetesSqlite(modules: string[]): Record<string, string> {
  const docs: Record<string, YamlDoc[]> = {
    '00-namespace.yaml': namespace,
    '01-config.yaml': config({ natsServers: 1, postgres: false }),
    '05-nats.yaml': nats(1),
    '10-gateway.yaml': gateway(),
  };
  const warnings: Record<string, string> = {};
  for (const m of modules) {
    docs[`20-module-${m}.yaml`] = sqliteModule(m);
    warnings[`20-module-${m}.yaml`] = SQLITE_WARNING;
  }
  docs['30-network-policies.yaml'] = networkPolicies(modules, { postgres: false, natsCluster: false });
  return withKustomization(docs, 'SQLite mode (one replica per module; never scale the modules)', warnings);
}

/** PostgreSQL inside the cluster, run by the CloudNativePG operator (install the operator first). */
function cnpgCluster(moduleCount: number): YamlDoc[] {
  const connections = moduleCount * MODULE_MAX_REPLICAS * DATABASE_POOL_SIZE;
  return [
    {
      comment:
        'Optional: PostgreSQL run by the CloudNativePG operator, three instances with failover.\n' +
        'Install the operator (its documentation says how), then: kubectl apply -f deploy/k8s/optional/\n' +
        `The operator writes the app user's URL to the Secret ${DATABASE_SECRET.name} (key ${DATABASE_SECRET.key}),\n` +
        'which every module reads as DATABASE_URL. Using a server of your own instead? Skip this file\n' +
        'and create that Secret yourself (README, Deploy). Pin the PostgreSQL version with spec.imageName\n' +
        '(Cleave is tested on PostgreSQL 15).',
      value: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: meta(CNPG_CLUSTER),
        spec: {
          instances: 3,
          storage: { size: '10Gi' },
          postgresql: {
            // Every module process keeps a pool: up to modules x max replicas x DATABASE_POOL_SIZE.
            parameters: { max_connections: String(Math.ceil((connections + 50) / 50) * 50) },
          },
          bootstrap: {
            // Byte-order collation, so lists sort as on SQLite (README, Storage).
            initdb: { database: 'shop', owner: 'shop', encoding: 'UTF8', localeCollate: 'C', localeCType: 'C' },
          },
          resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
        },
      },
    },
  ];
}

function secretsExample(): string {
  return `# ${HEADER}
#
# The shop's secrets on Kubernetes, kept out of every manifest so that neither
# \`kubectl apply -f deploy/k8s/\` nor \`kubectl apply -k deploy/k8s/\` ever overwrites them.
# Copy this file outside the repository (or to deploy/k8s/secrets.env, which git ignores),
# fill it in, then:
#   kubectl create namespace ${NAMESPACE}
#   kubectl create secret generic ${APP_SECRET} -n ${NAMESPACE} --from-env-file=secrets.env
# Change a value later: add --dry-run=client -o yaml | kubectl apply -f -, then restart the pods.
#
# PostgreSQL on a server of your own (not CloudNativePG): the modules read DATABASE_URL from
# the Secret ${DATABASE_SECRET.name}, key ${DATABASE_SECRET.key}:
#   kubectl create secret generic ${DATABASE_SECRET.name} -n ${NAMESPACE} --from-literal=${DATABASE_SECRET.key}='postgres://user:password@host:5432/shop'
JWT_SECRET=
CARRIER_WEBHOOK_SECRET=
ADMIN_EMAIL=
ADMIN_PASSWORD=
# No real card processor exists yet (README, "Payments"): production starts only once you
# choose the built-in test gateway, which takes test cards and charges nobody.
# PAYMENT_GATEWAY=test
# SMTP_URL=smtp://user:pass@mail.example.com:587
# METRICS_TOKEN=
`;
}
