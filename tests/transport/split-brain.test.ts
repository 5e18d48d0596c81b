import { connect, type NatsConnection } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { ConfigError } from '../../src/kernel/config-error.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { natsNames } from '../../src/kernel/nats/names.ts';
import { NatsTransport } from '../../src/kernel/nats/nats-transport.ts';
import { StoreClaims, type StoreAnnouncement } from '../../src/kernel/nats/store-claim.ts';
import { decodeJson } from '../../src/kernel/nats/wire.ts';
import { dropNamespace, SHARED_NATS_URL, uniqueNamespace } from '../../tools/nats-namespaces.ts';
import { freePort } from '../../tools/ports.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { ManagedProcess } from '../../tools/topology/child.ts';
import { processArgs } from '../../tools/topology/spec.ts';
import { databaseFor } from '../support/engine.ts';
import { testEnv } from '../support/env.ts';
import { requireSharedNats } from '../support/processes.ts';

/**
 * No split brain (issue 15): two processes hosting one module with two stores would both answer,
 * and callers would get each in turn. A process whose store differs from the one already
 * answering for the module on its NATS namespace refuses to start, saying why and what to do;
 * replicas of one store start side by side. Real processes, on both engines, explicitly.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const START_MS = 90_000;

let nc: NatsConnection;
const namespaces: string[] = [];
const processes: ManagedProcess[] = [];
beforeAll(async () => {
  await requireSharedNats();
  nc = await connect({ servers: SHARED_NATS_URL });
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await nc?.close();
  for (const ns of namespaces) await dropNamespace(ns).catch(() => undefined);
});

function freshNamespace(): string {
  const ns = uniqueNamespace('brain');
  namespaces.push(ns);
  return ns;
}

/** A process hosting the cart alone (`--modules cart`), on its own data dir and port. */
async function cartProcess(name: string, namespace: string, store: { dataDir?: string; databaseUrl?: string }): Promise<ManagedProcess> {
  const env = testEnv(store.dataDir ?? tempDataDir(), {
    NATS_URL: SHARED_NATS_URL,
    NATS_NAMESPACE: namespace,
    LOG_LEVEL: 'warn',
    ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl, DATABASE_POOL_SIZE: '2' } : {}),
  });
  const p = new ManagedProcess({
    name,
    args: processArgs({ name, modules: ['cart'], gateway: false }, moduleNames),
    env: { ...process.env, DATABASE_URL: undefined, DATABASE_URL_CART: undefined, ...env },
    port: await freePort(),
    cwd: ROOT,
    output: process.env.TEST_LOG_LEVEL ? (line) => process.stdout.write(`${line}\n`) : () => {},
  });
  processes.push(p);
  p.start();
  return p;
}

/** Waits for a process that must refuse to start; gives the message it stopped with. */
async function refusal(p: ManagedProcess): Promise<string> {
  const outcome = await p.waitReady(START_MS).then(
    () => 'started',
    (err: Error) => err.message,
  );
  expect(outcome).toMatch(/exited \(code 1\) before it was ready/);
  const fatal = p
    .tail()
    .split('\n')
    .map((line) => line.replace(/^\[[^\]]+\] /, ''))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { level: number; msg: string }];
      } catch {
        return [];
      }
    })
    .find((entry) => entry.level === 60);
  expect(fatal, `no fatal log line in:\n${p.tail()}`).toBeDefined();
  return fatal!.msg;
}

/** Every answer to the cart's store question on a namespace: who holds it, in which store. */
async function storeAnswers(namespace: string): Promise<StoreAnnouncement[]> {
  const answers: StoreAnnouncement[] = [];
  try {
    for await (const msg of await nc.requestMany(natsNames(namespace).store('cart'), undefined, { strategy: 'stall', stall: 300, maxWait: 2_000 })) {
      answers.push(decodeJson<StoreAnnouncement>(msg.data));
    }
  } catch {
    // no responders: nobody holds it
  }
  return answers.sort((a, b) => a.pid - b.pid);
}

/** Every process answering the cart's pings (every one serving it). */
async function pingers(namespace: string): Promise<number> {
  let n = 0;
  try {
    for await (const _ of await nc.requestMany(natsNames(namespace).ping('cart'), undefined, { strategy: 'stall', stall: 300, maxWait: 2_000 })) n++;
  } catch {
    // no responders
  }
  return n;
}

function sqliteIdentity(dataDir: string): string {
  const db = new Database(join(dataDir, 'cart.db'), { readonly: true });
  try {
    return db.prepare('SELECT id FROM kernel_store_identity').pluck().get() as string;
  } finally {
    db.close();
  }
}

describe('no split brain: a second store for a module is refused at start (SQLite, real processes)', () => {
  it('refuses a cart process on another DATA_DIR, naming the other process and what to do; the first keeps the cart alone', async () => {
    const namespace = freshNamespace();
    const d1 = tempDataDir();
    const a = await cartProcess('cart-a', namespace, { dataDir: d1 });
    await a.waitReady(START_MS);

    const d2 = tempDataDir();
    const b = await cartProcess('cart-b', namespace, { dataDir: d2 });
    const message = await refusal(b);
    const [here, there] = [sqliteIdentity(d2), sqliteIdentity(d1)];
    expect(here).not.toBe(there);
    expect(message).toContain(`module cart: another process (host `);
    expect(message).toContain(`pid ${a.pid}) already answers for cart on NATS namespace "${namespace}" with a different store`);
    expect(message).toContain(`there: id ${there} at ${join(d1, 'cart.db')}; here: id ${here} at ${join(d2, 'cart.db')}`);
    expect(message).toContain('point this process at the same store (the same DATABASE_URL or DATABASE_URL_CART');
    expect(message).toContain('or stop the other process, or use a different NATS_NAMESPACE');

    // What did not happen: the refused process never answered for the cart; the first one still does.
    expect(await storeAnswers(namespace)).toEqual([expect.objectContaining({ identity: there, pid: a.pid, location: join(d1, 'cart.db') })]);
    expect(await pingers(namespace)).toBe(1);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
  }, 240_000);

  it('lets a replica on the same SQLite file start beside it (one host, one store)', async () => {
    const namespace = freshNamespace();
    const dataDir = tempDataDir();
    const a = await cartProcess('cart-a', namespace, { dataDir });
    await a.waitReady(START_MS);
    const b = await cartProcess('cart-b', namespace, { dataDir });
    await b.waitReady(START_MS);
    const answers = await storeAnswers(namespace);
    expect(answers.map((x) => x.pid)).toEqual([a.pid!, b.pid!].sort((x, y) => x - y));
    expect(new Set(answers.map((x) => x.identity))).toEqual(new Set([sqliteIdentity(dataDir)]));
    expect(await pingers(namespace)).toBe(2);
  }, 240_000);
});

describe('no split brain on PostgreSQL (real processes)', () => {
  it('starts two cart processes on one DATABASE_URL side by side, and refuses a third on another database', async () => {
    const namespace = freshNamespace();
    const shared = await databaseFor(tempDataDir());
    // Each replica with a private DATA_DIR: the store is the PostgreSQL schema, not the directory.
    const [a, b] = await Promise.all([cartProcess('cart-a', namespace, { databaseUrl: shared }), cartProcess('cart-b', namespace, { databaseUrl: shared })]);
    await Promise.all([a.waitReady(START_MS), b.waitReady(START_MS)]);
    const answers = await storeAnswers(namespace);
    expect(answers.map((x) => x.pid)).toEqual([a.pid!, b.pid!].sort((x, y) => x - y));
    expect(new Set(answers.map((x) => x.identity)).size).toBe(1);
    const database = new URL(shared).pathname;
    for (const x of answers) expect(x.location).toBe(`schema cart @ 127.0.0.1:5432${database}`);
    expect(await pingers(namespace)).toBe(2);
    const probe = await NatsTransport.connect({ url: SHARED_NATS_URL, namespace, logger, rpcTimeoutMs: 5_000, hostedModules: [] });
    try {
      for (let i = 0; i < 6; i++) expect(await probe.remote.call('cart', 'getCart', { userId: `shopper-${i}` })).toMatchObject({ items: [] });
    } finally {
      await probe.close();
    }

    // Another database, behind a password that must not be printed (trust auth ignores it).
    const other = new URL(await databaseFor(tempDataDir()));
    other.username = 'postgres';
    other.password = 'not-for-logs';
    const c = await cartProcess('cart-c', namespace, { databaseUrl: other.toString() });
    const message = await refusal(c);
    expect(message).toContain('module cart: another process (host ');
    expect(message).toMatch(new RegExp(`pid (${a.pid}|${b.pid})\\) already answers for cart on NATS namespace "${namespace}" with a different store`));
    expect(message).toContain(`there: id ${answers[0].identity} at schema cart @ 127.0.0.1:5432${database}; here: id `);
    expect(message).toContain(`at schema cart @ 127.0.0.1:5432${other.pathname})`);
    expect(message).not.toContain('not-for-logs');
    expect((await storeAnswers(namespace)).map((x) => x.pid)).toEqual([a.pid!, b.pid!].sort((x, y) => x - y));
  }, 300_000);
});

describe('store claims on the NATS transport', () => {
  const claimant = (namespace: string) => NatsTransport.connect({ url: SHARED_NATS_URL, namespace, logger, rpcTimeoutMs: 2_000, hostedModules: ['cart'] });

  it('takes the first claim at once (no responders), one more for the same store, and refuses another store with a ConfigError', async () => {
    const namespace = freshNamespace();
    const [first, replica, stranger] = await Promise.all([claimant(namespace), claimant(namespace), claimant(namespace)]);
    try {
      const started = Date.now();
      await first.claimStore('cart', { identity: 'store-1', location: '/data/one/cart.db' });
      expect(Date.now() - started).toBeLessThan(1_000); // nobody there: no waiting for answers
      await replica.claimStore('cart', { identity: 'store-1', location: '/data/one/cart.db' });

      const refused = await stranger.claimStore('cart', { identity: 'store-2', location: '/data/two/cart.db' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as Error).message).toContain(`already answers for cart on NATS namespace "${namespace}" with a different store (there: id store-1 at /data/one/cart.db; here: id store-2 at /data/two/cart.db)`);
      // Refused, it does not answer the question for the module either.
      expect((await storeAnswers(namespace)).map((a) => a.identity)).toEqual(['store-1', 'store-1']);
    } finally {
      await Promise.all([first.close(), replica.close(), stranger.close()]);
    }
  });

  it('lets another store take the module once the first is gone', async () => {
    const namespace = freshNamespace();
    const first = await claimant(namespace);
    await first.claimStore('cart', { identity: 'store-1', location: 'one' });
    await first.close();
    const next = await claimant(namespace);
    try {
      await next.claimStore('cart', { identity: 'store-2', location: 'two' });
      expect((await storeAnswers(namespace)).map((a) => a.identity)).toEqual(['store-2']);
    } finally {
      await next.close();
    }
  });

  it('names "the default NATS namespace" when there is none', async () => {
    // Straight on the connection, without a transport: that would set up the default namespace's stream.
    // A module name of its own keeps this apart from any shop on the default namespace.
    const module = `brain-${process.pid}-${Date.now().toString(36)}`;
    const [a, b] = [new StoreClaims(nc, natsNames(''), logger, 1_500), new StoreClaims(nc, natsNames(''), logger, 1_500)];
    try {
      await a.claim(module, { identity: 'x', location: 'x' });
      await expect(b.claim(module, { identity: 'y', location: 'y' })).rejects.toThrow(`already answers for ${module} on the default NATS namespace with a different store`);
    } finally {
      a.stop();
      b.stop();
    }
  });

  it('asks with its own announcement, so the process already holding the module can log who was refused', async () => {
    const namespace = freshNamespace();
    const heard: unknown[] = [];
    const listener = nc.subscribe(natsNames(namespace).store('cart'), { callback: (_err, msg) => void heard.push(decodeJson(msg.data)) });
    await nc.flush();
    const asker = new StoreClaims(nc, natsNames(namespace), logger, 300);
    try {
      await asker.claim('cart', { identity: 'store-1', location: 'one' });
      expect(heard).toEqual([{ identity: 'store-1', location: 'one', host: hostname(), pid: process.pid }]);
    } finally {
      listener.unsubscribe();
      asker.stop();
    }
  });
});
