import { describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { startShop } from '../../src/app/start.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { dropNamespace, SHARED_NATS_URL, uniqueNamespace } from '../../tools/nats-namespaces.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { loadTopologies, processArgs, resolveTopology } from '../../tools/topology/spec.ts';
import { testEnv } from '../support/env.ts';

/** The shop's twelve modules, as the brief names them (the registry grows to this). */
const SHOP = ['user', 'catalog', 'search', 'cart', 'wishlist', 'order-taking', 'order-processing', 'payment', 'logistics', 'warehouse', 'notification', 'recommendation'];

describe('topologies (deploy/topologies.json)', () => {
  const topologies = loadTopologies();

  it('defines monolith, split-all and orders-apart, each hosting every module of the shop', () => {
    expect(Object.keys(topologies).sort()).toEqual(['monolith', 'orders-apart', 'split-all']);
    for (const [name, spec] of Object.entries(topologies)) {
      const hosted = resolveTopology(name, spec, SHOP).flatMap((p) => p.modules);
      expect(hosted.sort(), name).toEqual([...SHOP].sort());
    }
    expect(resolveTopology('split-all', topologies['split-all'], SHOP)).toHaveLength(13);
  });

  it('names only modules the brief knows, so the registry check at launch can pass once all are registered', () => {
    for (const m of moduleNames) expect(SHOP).toContain(m);
  });

  it('refuses unknown modules, unhosted modules, duplicate names and a missing gateway, naming them', () => {
    const registry = ['user', 'payment'];
    expect(() => resolveTopology('t', { processes: [{ name: 'a', modules: ['user', 'paymnt'], gateway: true }] }, registry)).toThrow(
      /not registered in src\/app\/modules.ts: paymnt; hosts no process for registered modules: payment/,
    );
    expect(() => resolveTopology('t', { processes: [{ name: 'a', modules: 'all' }] }, registry)).toThrow(/no gateway process/);
    expect(() =>
      resolveTopology('t', { processes: [{ name: 'a', modules: ['user'], gateway: true }, { name: 'a', modules: ['payment'] }] }, registry),
    ).toThrow(/duplicate process names: a/);
  });

  it('turns each process into the deploy flag of src/main.ts', () => {
    const registry = ['user', 'payment'];
    expect(processArgs({ name: 'gw', modules: [], gateway: true }, registry).slice(3)).toEqual(['--modules', 'none', '--gateway']);
    expect(processArgs({ name: 'p', modules: ['payment'], gateway: false }, registry).slice(3)).toEqual(['--modules', 'payment', '--no-gateway']);
    expect(processArgs({ name: 'm', modules: ['payment', 'user'], gateway: true }, registry).slice(3)).toEqual(['--modules', 'all', '--gateway']);
  });
});

describe('--check-topology', () => {
  it('refuses to start a gateway when no process answers for the modules, listing them', async () => {
    const namespace = uniqueNamespace('check');
    const config = loadConfig(testEnv(tempDataDir(), { NATS_URL: SHARED_NATS_URL, NATS_NAMESPACE: namespace }));
    try {
      const started = startShop(config, { hosted: [], gateway: true, checkTopology: true }, createLogger('silent'));
      await expect(started).rejects.toThrow(`--check-topology: no process answers for ${moduleNames.join(', ')}`);
    } finally {
      await dropNamespace(namespace);
    }
  });
});
