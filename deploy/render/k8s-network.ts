/**
 * NetworkPolicies: only the gateway takes traffic from outside; modules take none and reach only
 * NATS and PostgreSQL; NATS takes clients from the shop's pods and routes from its peers. Every
 * pod may ask DNS. Pods of other apps in the namespace (a CloudNativePG cluster, say) are not
 * selected, so these policies leave them alone. Probes come from the kubelet on the node, which
 * these policies do not block on common network plugins; to scrape /metrics, add a policy that
 * lets your monitoring namespace in.
 */
import type { Yaml, YamlDoc } from './yaml.ts';
import { meta } from './k8s-app.ts';
import { HTTP_PORT, NATS_CLIENT_PORT, NATS_CLUSTER_PORT, POSTGRES_PORT, SMTP_MODULES, SMTP_PORTS } from './settings.ts';

const tcp = (port: number) => ({ port, protocol: 'TCP' });
const role = (r: string) => ({ matchLabels: { 'cleave/role': r } });

const dns: Yaml = { ports: [{ port: 53, protocol: 'UDP' }, tcp(53)] };
const toNats: Yaml = { to: [{ podSelector: role('nats') }], ports: [tcp(NATS_CLIENT_PORT)] };

function policy(name: string, comment: string, spec: Yaml): YamlDoc {
  return { comment, value: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(name), spec } };
}

export function networkPolicies(modules: string[], o: { postgres: boolean; natsCluster: boolean }): YamlDoc[] {
  const moduleEgress: Yaml[] = [dns, toNats];
  // An external server has an address these files cannot know: the rule opens PostgreSQL's port.
  // With the CloudNativePG cluster, narrow it with `to: [{ podSelector: { matchLabels: { cnpg.io/cluster: cleave-db } } }]`.
  if (o.postgres) moduleEgress.push({ ports: [tcp(POSTGRES_PORT)] });
  const smtp = modules.filter((m) => SMTP_MODULES.includes(m));
  return [
    policy('gateway', 'The gateway: HTTP in from anywhere (your ingress controller or load balancer); out only to NATS.', {
      podSelector: role('gateway'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [tcp(HTTP_PORT)] }],
      egress: [dns, toNats],
    }),
    policy(
      'modules',
      `Modules: nothing comes in (they are reached over NATS); out only to NATS${o.postgres ? ' and PostgreSQL' : ''}.`,
      { podSelector: role('module'), policyTypes: ['Ingress', 'Egress'], ingress: [], egress: moduleEgress },
    ),
    ...smtp.map((m) =>
      policy(`${m}-smtp`, `${m} sends email when SMTP_URL is set: SMTP out.`, {
        podSelector: { matchLabels: { 'cleave/module': m } },
        policyTypes: ['Egress'],
        egress: [{ ports: SMTP_PORTS.map(tcp) }],
      }),
    ),
    policy('nats', 'NATS: clients from the shop\'s pods only; routes between the NATS servers.', {
      podSelector: role('nats'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'cleave' } } }], ports: [tcp(NATS_CLIENT_PORT)] },
        ...(o.natsCluster ? [{ from: [{ podSelector: role('nats') }], ports: [tcp(NATS_CLUSTER_PORT)] }] : []),
      ],
      egress: o.natsCluster ? [dns, { to: [{ podSelector: role('nats') }], ports: [tcp(NATS_CLUSTER_PORT)] }] : [dns],
    }),
  ];
}
