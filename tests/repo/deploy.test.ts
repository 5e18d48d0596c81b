import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { VARIABLES } from '../../src/kernel/config-variables.ts';
import { GENERATED_DIRS, LOCAL_FILES, renderDeployFiles } from '../../deploy/render.ts';
import { yamlFile, type Yaml } from '../../deploy/render/yaml.ts';
import { parseYamlDocuments } from '../support/yaml.ts';

/**
 * The deploy files: generated from the module registry (the committed files are exactly what
 * `npm run deploy:generate` writes), then read back as YAML and checked for what makes them
 * scale (or, in SQLite mode, keeps them from scaling). Nothing here needs Docker or a cluster.
 */

/** Parsed YAML, checked field by field below. */
type K = any;

const read = (path: string) => readFileSync(path, 'utf8');
const docsOf = (path: string): K[] => parseYamlDocuments(read(path));
const yamlFilesIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const allDocs = (dir: string): K[] => yamlFilesIn(dir).flatMap((f) => docsOf(join(dir, f)));
const ofKind = (docs: K[], kind: string): K[] => docs.filter((d) => d.kind === kind);
const named = (docs: K[], kind: string, name: string): K => {
  const found = docs.filter((d) => d.kind === kind && d.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0];
};
const workloads = (docs: K[]): K[] => docs.filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet');
const cleaveContainers = (docs: K[]): K[] =>
  workloads(docs).flatMap((w) => w.spec.template.spec.containers.filter((c: K) => String(c.image).startsWith('cleave')));

/** The paths the shop's HTTP app serves on every process (src/kernel/http/app.ts). */
const servedPaths = [...read('src/kernel/http/app.ts').matchAll(/app\.get\('(\/[a-z]+)'/g)].map((m) => m[1]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('deploy files follow the module registry', () => {
  it('the registry holds the twelve modules of the shop', () => {
    expect([...moduleNames].sort()).toEqual(
      ['cart', 'catalog', 'logistics', 'notification', 'order-processing', 'order-taking', 'payment', 'recommendation', 'search', 'user', 'warehouse', 'wishlist'],
    );
  });

  it('the committed deploy files are exactly what `npm run deploy:generate` writes', () => {
    const expected = renderDeployFiles(moduleNames);
    for (const [path, text] of Object.entries(expected)) expect(existsSync(path) ? read(path) : `(missing) ${path}`, path).toBe(text);
    const stale = GENERATED_DIRS.flatMap(filesUnder).filter((p) => !(p in expected) && !LOCAL_FILES.includes(p));
    expect(stale, 'files the generator no longer writes').toEqual([]);
    for (const m of moduleNames) {
      expect(Object.keys(expected)).toContain(`deploy/k8s/20-module-${m}.yaml`);
      expect(Object.keys(expected)).toContain(`deploy/k8s-sqlite/20-module-${m}.yaml`);
    }
  });
});

describe('the YAML of the deploy files', () => {
  it('is read back as written, with strings quoted wherever a YAML reader could take them for something else', () => {
    const tricky = ['3000:3000', '22:22', 'yes', 'on', 'No', 'true', 'null', '1e3', '0x1F', '1', '-js', '--jetstream', 'a: b', '#x', 'x #y', '', '2024-01-01',
      '$(POD_NAME)', 'nats://a:1,nats://b:2', "it's", 'C', '1Gi', '100m', '/healthz?js-enabled-only=true', 'ldm=/tmp/nats.pid', '00-namespace.yaml', '10-20', '2024-1-1', '~', '[x]', '{}', '*a', '&a', '!t', '@x', '%x', '|', '>'];
    const value: Yaml = {
      list: tricky,
      long: tricky.map((s) => ({ s, n: 1, b: false, z: null })),
      on: 'key that YAML 1.1 reads as a boolean',
      'app.kubernetes.io/part-of': 'cleave',
      'a key with spaces': [],
      empty: {},
      nested: [[1, 2], [{ a: 'b' }]],
    };
    const text = yamlFile('header\nsecond line', [{ comment: 'one', value }, { value: { second: 2 } }]);
    expect(parseYamlDocuments(text)).toEqual([value, { second: 2 }]);
  });

  it('the reader refuses what the files must not hold (so the checks below can fail)', () => {
    expect(() => parseYamlDocuments('enabled: yes\n')).toThrow(/quote it/);
    expect(() => parseYamlDocuments('ports: [22:22]\n')).toThrow(/quote it/); // YAML 1.1: the number 1342
    expect(() => parseYamlDocuments('a: 1\n  b: 2\n')).toThrow(/indentation/);
    expect(() => parseYamlDocuments('a: 1\na: 2\n')).toThrow(/duplicate/);
    expect(() => parseYamlDocuments('a: |\n  text\n')).toThrow(/block scalars/);
    expect(parseYamlDocuments('# c\na:\n- 1\n- key: value\n  z: [1, "2"]\n---\nb: {}\n')).toEqual([{ a: [1, { key: 'value', z: [1, '2'] }] }, { b: {} }]);
  });
});

describe('Kubernetes, PostgreSQL mode (deploy/k8s/): every module scales', () => {
  const dir = 'deploy/k8s';
  const docs = allDocs(dir);
  const config = named(docs, 'ConfigMap', 'cleave-config');

  it('every module is a Deployment of 2 replicas with no volume, scaled by a CPU autoscaler; the gateway too', () => {
    for (const name of [...moduleNames, 'gateway']) {
      const d = named(docs, 'Deployment', name);
      expect(d.spec.replicas, name).toBe(2);
      const pod = d.spec.template.spec;
      expect(pod.volumes, name).toBeUndefined();
      for (const c of pod.containers) expect(c.volumeMounts, name).toBeUndefined();
      expect(pod.containers[0].args, name).toEqual(name === 'gateway' ? ['--modules', 'none', '--gateway'] : ['--modules', name]);
      const hpa = named(docs, 'HorizontalPodAutoscaler', name);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec.minReplicas).toBe(d.spec.replicas);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toContainEqual(expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }));
    }
    expect(ofKind(docs, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['nats']);
    expect(docs.flatMap((d) => d.spec?.volumeClaimTemplates ?? []).length, 'only NATS keeps volumes').toBe(1);
  });

  it('every Cleave container has requests, limits, and startup, readiness and liveness probes on endpoints the shop serves', () => {
    expect(servedPaths).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const containers = cleaveContainers(docs);
    expect(containers).toHaveLength(moduleNames.length + 1);
    for (const c of containers) {
      for (const r of ['requests', 'limits']) expect(Object.keys(c.resources[r]).sort(), `${c.name} ${r}`).toEqual(['cpu', 'memory']);
      const portNames = c.ports.map((p: K) => p.name);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        expect(servedPaths, `${c.name} ${probe}`).toContain(c[probe].httpGet.path);
        expect(portNames, `${c.name} ${probe}`).toContain(c[probe].httpGet.port);
      }
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    }
  });

  it('modules read DATABASE_URL from the Secret of the CloudNativePG cluster (or yours); no Secret is in the applied files', () => {
    const cluster = docsOf(`${dir}/optional/cnpg-cluster.yaml`);
    expect(cluster).toHaveLength(1);
    expect(cluster[0]).toMatchObject({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { namespace: 'cleave' } });
    const appSecret = `${cluster[0].metadata.name}-app`; // where CloudNativePG writes the app user's `uri`
    for (const m of moduleNames) {
      const c = named(docs, 'Deployment', m).spec.template.spec.containers[0];
      expect(c.env, m).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: appSecret, key: 'uri' } } });
    }
    // Enough connections for every module at its autoscaler's maximum, each with its pool.
    const pool = Number(config.data.DATABASE_POOL_SIZE);
    const most = moduleNames.reduce((sum, m) => sum + named(docs, 'HorizontalPodAutoscaler', m).spec.maxReplicas * pool, 0);
    expect(Number(cluster[0].spec.postgresql.parameters.max_connections)).toBeGreaterThan(most);
    expect(ofKind([...docs, ...allDocs('deploy/k8s-sqlite')], 'Secret'), '`kubectl apply -f` would overwrite real secrets').toEqual([]);
  });

  it('the shop\'s secrets come from an example env file, not a manifest, for the Secret every container reads', () => {
    const example = read(`${dir}/secrets.example.env`);
    const keys = [...example.matchAll(/^#?\s*([A-Z_]+)=/gm)].map((m) => m[1]);
    expect(keys).toEqual(expect.arrayContaining(['JWT_SECRET', 'CARRIER_WEBHOOK_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']));
    for (const k of keys) expect(Object.keys(VARIABLES), k).toContain(k);
    const secretName = /kubectl create secret generic (\S+) -n cleave --from-env-file/.exec(example)?.[1];
    for (const c of cleaveContainers([...docs, ...allDocs('deploy/k8s-sqlite')])) expect(c.envFrom, c.name).toContainEqual({ secretRef: { name: secretName } });
    expect(read('.gitignore')).toMatch(/^deploy\/k8s\/secrets\.env$/m);
  });

  it('NATS is a 3-server JetStream cluster with file storage, NATS_URL lists all three, and the stream has 3 replicas', () => {
    const sts = named(docs, 'StatefulSet', 'nats');
    expect(sts.spec.replicas).toBe(3);
    const service = named(docs, 'Service', sts.spec.serviceName);
    expect(service.spec.clusterIP).toBe('None');
    const c = sts.spec.template.spec.containers[0];
    const arg = (flag: string) => c.args[c.args.indexOf(flag) + 1];
    expect(c.args).toContain('--jetstream');
    expect(arg('--cluster_name')).toBeTruthy();
    const mount = c.volumeMounts.find((v: K) => arg('--store_dir').startsWith(v.mountPath));
    expect(sts.spec.volumeClaimTemplates.map((v: K) => v.metadata.name), 'JetStream file storage on a volume').toContain(mount?.name);
    const pods = [0, 1, 2].map((i) => `${sts.metadata.name}-${i}.${sts.spec.serviceName}`);
    const clusterPort = c.ports.find((p: K) => p.name === 'cluster').containerPort;
    expect(arg('--routes').split(',')).toEqual(pods.map((p) => `nats://${p}:${clusterPort}`));
    const clientPort = c.ports.find((p: K) => p.name === 'client').containerPort;
    expect(config.data.NATS_URL.split(',')).toEqual(pods.map((p) => `nats://${p}:${clientPort}`));
    // One copy of the event stream per server: losing one loses no event (tests/transport/nats-cluster.test.ts).
    expect(config.data.NATS_STREAM_REPLICAS).toBe(String(sts.spec.replicas));
    expect(VARIABLES.NATS_STREAM_REPLICAS.schema.parse(config.data.NATS_STREAM_REPLICAS)).toBe(3);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(c[probe].httpGet.path, probe).toMatch(/^\/healthz/);
  });

  it('NetworkPolicies: only the gateway takes traffic from outside; modules reach only DNS, NATS and PostgreSQL', () => {
    checkNetworkPolicies(docs, [53, 4222, 5432]);
  });

  it('the Kustomization lists every manifest and sets the image; `kubectl apply -f` finds no Kustomization to trip on', () => {
    checkKustomization(dir, docs);
  });
});

describe('Kubernetes, SQLite mode (deploy/k8s-sqlite/): one replica per module, never more', () => {
  const dir = 'deploy/k8s-sqlite';
  const docs = allDocs(dir);
  const config = named(docs, 'ConfigMap', 'cleave-config');

  it('every module is a StatefulSet of ONE replica whose volume holds DATA_DIR and is writable by the image\'s user', () => {
    const user = [...read('deploy/Dockerfile').matchAll(/^USER (\S+)$/gm)].at(-1)?.[1];
    expect(user, 'the node images\' user `node` is uid/gid 1000').toBe('node');
    for (const m of moduleNames) {
      const s = named(docs, 'StatefulSet', m);
      expect(s.spec.replicas, m).toBe(1);
      const pod = s.spec.template.spec;
      expect(pod.securityContext, m).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
      const mount = pod.containers[0].volumeMounts.find((v: K) => v.mountPath === config.data.DATA_DIR);
      expect(s.spec.volumeClaimTemplates.map((v: K) => v.metadata.name), m).toContain(mount?.name);
      expect(pod.containers[0].env, 'no DATABASE_URL: SQLite').toBeUndefined();
    }
    expect(ofKind(docs, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).toEqual(['gateway']);
  });

  it('each module file says plainly that it must not be scaled, and why', () => {
    for (const m of moduleNames) {
      const text = read(`${dir}/20-module-${m}.yaml`);
      expect(text, m).toMatch(/^# .*ONE replica, never more\. Do not scale this StatefulSet/m);
      expect(text, m).toMatch(/each replica would get its own volume/);
    }
  });

  it('one NATS server, NATS_URL names it, and the stream has one replica (more would not start there)', () => {
    const sts = named(docs, 'StatefulSet', 'nats');
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.template.spec.containers[0].args).toContain('--jetstream');
    expect(config.data.NATS_URL).toBe('nats://nats-0.nats:4222');
    expect(config.data.NATS_STREAM_REPLICAS).toBe('1');
  });

  it('probes and resources as in PostgreSQL mode', () => {
    for (const c of cleaveContainers(docs)) {
      expect(c.resources.requests && c.resources.limits, c.name).toBeTruthy();
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(servedPaths, `${c.name} ${probe}`).toContain(c[probe].httpGet.path);
    }
  });

  it('NetworkPolicies: modules reach only DNS and NATS', () => {
    checkNetworkPolicies(docs, [53, 4222]);
  });

  it('the Kustomization lists every manifest and sets the image', () => {
    checkKustomization(dir, docs);
  });
});

/** Is every pod selected by policies that close it, with open ingress for the gateway alone? */
function checkNetworkPolicies(docs: K[], moduleEgressPorts: number[]): void {
  const policies = ofKind(docs, 'NetworkPolicy');
  const selects = (p: K, labels: Record<string, string>) =>
    Object.entries(p.spec.podSelector.matchLabels as Record<string, string>).every(([k, v]) => labels[k] === v);
  const smtpPorts = [25, 465, 587];
  for (const w of workloads(docs)) {
    const labels = w.spec.template.metadata.labels;
    const mine = policies.filter((p) => selects(p, labels));
    const types = new Set(mine.flatMap((p) => p.spec.policyTypes));
    expect([...types].sort(), `${w.metadata.name} is isolated both ways`).toEqual(['Egress', 'Ingress']);
    const ingress = mine.flatMap((p) => p.spec.ingress ?? []);
    const egress = mine.flatMap((p) => p.spec.egress ?? []);
    const fromAnywhere = ingress.filter((r: K) => !r.from);
    if (labels['cleave/role'] === 'gateway') {
      expect(fromAnywhere.flatMap((r: K) => r.ports.map((p: K) => p.port))).toEqual([w.spec.template.spec.containers[0].ports[0].containerPort]);
    } else {
      expect(fromAnywhere, `${w.metadata.name} is not reachable from outside`).toEqual([]);
    }
    expect(egress.every((r: K) => r.ports?.length), `${w.metadata.name}: every egress rule names its ports`).toBe(true);
    if (labels['cleave/role'] === 'module') {
      expect(ingress, `${w.metadata.name} takes no traffic`).toEqual([]);
      const ports = new Set(egress.flatMap((r: K) => r.ports.map((p: K) => p.port)));
      const allowed = [...moduleEgressPorts, ...(labels['cleave/module'] === 'notification' ? smtpPorts : [])];
      expect([...ports].sort((a, b) => a - b), w.metadata.name).toEqual(allowed.sort((a, b) => a - b));
      const nats = egress.find((r: K) => r.ports.some((p: K) => p.port === 4222));
      expect(nats.to, `${w.metadata.name} reaches NATS pods only on 4222`).toEqual([{ podSelector: { matchLabels: { 'cleave/role': 'nats' } } }]);
    }
  }
}

function checkKustomization(dir: string, docs: K[]): void {
  const [k] = docsOf(`${dir}/Kustomization`);
  expect(k.kind).toBe('Kustomization');
  expect([...k.resources].sort()).toEqual(yamlFilesIn(dir));
  expect(ofKind(docs, 'Kustomization'), 'a *.yaml Kustomization would fail `kubectl apply -f`').toEqual([]);
  expect(existsSync(`${dir}/kustomization.yaml`)).toBe(false);
  expect(k.images).toHaveLength(1);
  const images = new Set(cleaveContainers(docs).map((c) => String(c.image).split(':')[0]));
  expect([...images]).toEqual([k.images[0].name]);
  expect(k.images[0].newName && k.images[0].newTag).toBeTruthy();
}

describe('compose (deploy/compose.yaml): PostgreSQL, a 3-server NATS cluster, start in order of health', () => {
  const compose: K = docsOf('deploy/compose.yaml')[0];
  const services = compose.services;
  const natsServices = Object.keys(services).filter((s) => /^nats-\d$/.test(s));

  it('a PostgreSQL service with a healthcheck and a named volume', () => {
    const pg = services.postgres;
    expect(pg.image).toBe('postgres:15');
    expect(pg.healthcheck.test.join(' ')).toMatch(/pg_isready/);
    const volume = pg.volumes[0].split(':')[0];
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('three NATS servers with JetStream, routes to each other, a healthcheck on /healthz and a volume each', () => {
    expect(natsServices).toHaveLength(3);
    for (const n of natsServices) {
      const cmd: string[] = services[n].command;
      const arg = (flag: string) => cmd[cmd.indexOf(flag) + 1];
      expect(cmd).toContain('--jetstream');
      expect(arg('--server_name')).toBe(n);
      expect(arg('--routes').split(',').map((r) => new URL(r).hostname)).toEqual(natsServices);
      expect(services[n].healthcheck.test.join(' ')).toContain(`127.0.0.1:${arg('--http_port')}/healthz`);
      expect(Object.keys(compose.volumes)).toContain(services[n].volumes[0].split(':')[0]);
    }
  });

  it('every module on PostgreSQL and on every NATS server, started once they are healthy, with no volume of its own', () => {
    for (const m of moduleNames) {
      const s = services[m];
      expect(s.command, m).toEqual(['--modules', m]);
      expect(new URL(s.environment.DATABASE_URL.replace(/\$\{[^}]*\}/, 'secret')).hostname, m).toBe('postgres');
      expect(s.environment.NATS_URL.split(',').map((u: string) => new URL(u).hostname), m).toEqual(natsServices);
      expect(s.environment.NATS_STREAM_REPLICAS, m).toBe(String(natsServices.length));
      expect(Object.keys(s.depends_on).sort(), m).toEqual(['postgres', ...natsServices].sort());
      expect(s.volumes, m).toBeUndefined();
      expect(s.healthcheck.test.join(' '), m).toContain('/readyz');
    }
    for (const [name, s] of Object.entries<K>(services)) {
      for (const [dep, how] of Object.entries<K>(s.depends_on ?? {})) {
        expect(how, `${name} -> ${dep}`).toEqual({ condition: 'service_healthy' });
        expect(services[dep].healthcheck, `${dep} has a healthcheck`).toBeDefined();
      }
    }
    // The gateway may be the process that creates the event stream: it asks for the same replicas.
    expect(services.gateway.environment.NATS_STREAM_REPLICAS).toBe('3');
    expect(services.gateway.ports).toEqual(['3000:3000']);
    expect(Object.keys(services.gateway.depends_on).sort()).toEqual(natsServices);
  });

  it('a .dockerignore keeps the build context small and leaves in what the Dockerfile copies', () => {
    const build = services.gateway.build;
    expect(build.context).toBe('..');
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', 'data', 'dist', 'bench/profiles', 'deploy/cleave.env', 'deploy/.env']) expect(ignored, p).toContain(p);
    const copied = [...read(build.dockerfile).matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(copied).toContain('src');
    for (const c of copied) expect(ignored.filter((p) => c === p || c.startsWith(`${p}/`)), c).toEqual([]);
  });
});
