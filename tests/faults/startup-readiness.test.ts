import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { moduleNames } from '../../src/app/modules.ts';
import { startShop } from '../../src/app/start.ts';
import { localProxy } from '../../src/kernel/calls.ts';
import { call, defineContract } from '../../src/kernel/contract.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { NatsTransport } from '../../src/kernel/nats/nats-transport.ts';
import { dropNamespace, SHARED_NATS_URL, uniqueNamespace } from '../../tools/nats-namespaces.ts';
import { freePort } from '../../tools/ports.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { ManagedProcess } from '../../tools/topology/child.ts';
import { processArgs } from '../../tools/topology/spec.ts';
import { ShopClient } from '../support/client.ts';
import { ADMIN, testEnv } from '../support/env.ts';

/**
 * Ready means ready (api.md): a module process takes calls as soon as it serves a module (another
 * module's start-up work may need them), but until its own start-up work (onStart: the admin
 * account, the demo catalog) is done its pings say `starting`, and a gateway reports it as a
 * problem (503) rather than as ready. A module that answers nowhere stays `unreachable` (200).
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const echo = defineContract('echo', { say: call({ input: z.strictObject({ text: z.string() }), output: z.object({ text: z.string() }) }) }, {});
const echoHandler = () => {
  const proxy = localProxy(echo, { say: ({ text }) => ({ text }) }, logger) as Record<string, (input: unknown) => Promise<unknown>>;
  return (method: string, input: unknown) => proxy[method](input);
};

describe('pings: a module still starting is told apart from one that answers nowhere', () => {
  it('answers `starting` until its process is done starting, takes calls meanwhile, and one ready replica is enough', async () => {
    const namespace = uniqueNamespace('ping');
    const connect = (hostedModules: string[]) => NatsTransport.connect({ url: SHARED_NATS_URL, namespace, logger, rpcTimeoutMs: 2_000, hostedModules });
    const [a, b, gateway] = await Promise.all([connect(['echo']), connect(['echo']), connect([])]);
    try {
      expect(await gateway.reachability(['echo', 'ghost'])).toEqual({ unreachable: ['echo', 'ghost'], starting: [] });

      await a.serve(echo, echoHandler());
      expect(await gateway.reachability(['echo', 'ghost'])).toEqual({ unreachable: ['ghost'], starting: ['echo'] });
      expect(await gateway.remote.call('echo', 'say', { text: 'while starting' })).toEqual({ text: 'while starting' });
      // --check-topology and the like only ask whether anybody answers: a starting module does.
      expect(await gateway.unreachable(['echo', 'ghost'])).toEqual(['ghost']);

      // A second replica: as long as one of them is ready, the module is ready, whichever answers first.
      await b.serve(echo, echoHandler());
      expect((await gateway.reachability(['echo'])).starting).toEqual(['echo']);
      b.startupDone();
      for (let i = 0; i < 10; i++) expect(await gateway.reachability(['echo'])).toEqual({ unreachable: [], starting: [] });
    } finally {
      await Promise.all([a.close(), b.close(), gateway.close()]);
      await dropNamespace(namespace);
    }
  });
});

describe('split: a gateway that says ready has every module done with its start-up work', () => {
  it('lets ADMIN_EMAIL sign in as soon as /readyz is 200 with every module answering; says "user is still starting" before', async () => {
    const namespace = uniqueNamespace('ready');
    // Hashing the admin's password at cost 17 takes about a second: the window in which the user
    // process answers calls but has not created the admin yet.
    const env = testEnv(tempDataDir(), { NATS_URL: SHARED_NATS_URL, NATS_NAMESPACE: namespace, SCRYPT_COST: '17' });
    const others = moduleNames.filter((m) => m !== 'user');
    const gateway = await startShop(loadConfig(env), { hosted: others, gateway: true, checkTopology: false }, logger);
    const user = new ManagedProcess({
      name: 'user',
      args: processArgs({ name: 'user', modules: ['user'], gateway: false }, moduleNames),
      env: { ...process.env, ...env },
      port: await freePort(),
      cwd: ROOT,
      output: process.env.TEST_LOG_LEVEL ? (line) => process.stdout.write(`${line}\n`) : () => {},
    });
    const api = new ShopClient(gateway.url);
    try {
      const before = await api.get('/readyz');
      expect([before.status, before.body.unreachable]).toEqual([200, ['user']]);

      user.start();
      const problems = new Set<string>();
      let login: { status: number; body: unknown } | null = null;
      const deadline = Date.now() + 60_000;
      while (!login) {
        if (!user.isRunning()) throw new Error(`the user process exited:\n${user.tail()}`);
        if (Date.now() > deadline) throw new Error(`the gateway never said ready; problems seen: ${[...problems].join('; ')}\n${user.tail()}`);
        const ready = await api.get('/readyz');
        for (const p of ready.body.problems as string[]) problems.add(p);
        if (ready.status === 200 && !(ready.body.unreachable as string[]).includes('user')) {
          const res = await api.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
          login = { status: res.status, body: res.body };
        } else {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect([...problems]).toContain('user is still starting');
    } finally {
      await user.stop();
      await gateway.stop();
      await dropNamespace(namespace);
    }
  }, 120_000);
});
