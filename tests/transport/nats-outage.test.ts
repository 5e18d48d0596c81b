import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/kernel/errors.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { NatsTransport } from '../../src/kernel/nats/nats-transport.ts';
import { eventually } from '../support/eventually.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';
import { OwnNatsServer } from '../support/own-nats-server.ts';
import { beaconContract, beaconModule, tallyContract, tallyModule } from '../fixtures/nats/modules.ts';

/**
 * A broker outage with traffic running: two processes' runtimes (beacon, tally) on a NATS server
 * of this test's own, which is killed for a couple of seconds and started again on its store.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OUTAGE_MS = 2_000;
let nats: OwnNatsServer;
const nodes: TestShop[] = [];

async function startNode(hosted: string) {
  const node = await startTestShop({
    modules: [beaconModule, tallyModule],
    hosted: [hosted],
    gateway: false,
    transport: (config) => NatsTransport.connect({ url: config.natsUrl, logger, rpcTimeoutMs: config.rpcTimeoutMs, hostedModules: [hosted] }),
    logger,
    env: { NATS_URL: nats.url, RPC_TIMEOUT_MS: '1000', EVENT_POLL_MS: '100' },
  });
  nodes.push(node);
  return node;
}

const readyz = async (url: string) => (await fetch(`${url}/readyz`)).status;
const bothReady = (want: number) => async () => Promise.all(nodes.map((n) => readyz(n.url))).then((s) => s.every((x) => x === want));

beforeAll(async () => {
  nats = await OwnNatsServer.start();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.runtime.stop()));
  await nats?.dispose();
});

describe('NATS outage', () => {
  it('reports 503 while the broker is down, recovers by itself, and delivers events published meanwhile', async () => {
    const beacon = await startNode('beacon');
    const tally = await startNode('tally');
    await eventually(bothReady(200), Boolean, { what: 'both processes ready' });
    const emit = (n: number) => beacon.runtime.use(beaconContract).emit({ n }); // local: outbox + relay
    const seen = async () => (await tally.runtime.use(tallyContract).seen({})).ns;

    // Traffic: tally keeps calling beacon over NATS for the whole test.
    const outcomes: string[] = [];
    let traffic = true;
    const caller = (async () => {
      for (let i = 0; traffic; i++) {
        const r = await tally.runtime.use(beaconContract).echo({ text: `t${i}` }).then(
          () => 'ok',
          (err: unknown) => (err instanceof AppError ? err.kind : 'foreign error'),
        );
        outcomes.push(r);
        await new Promise((res) => setTimeout(res, 10));
      }
    })();

    for (let n = 1; n <= 5; n++) await emit(n);
    await eventually(seen, (ns) => ns.length === 5, { what: 'events before the outage' });

    await nats.stop();
    const down = Date.now();
    await eventually(bothReady(503), Boolean, { what: 'both processes unready' });
    for (let n = 6; n <= 10; n++) await emit(n); // committed locally, delivered once NATS is back
    await eventually(() => outcomes.at(-1), (o) => o === 'unavailable', { what: 'a call failing as unavailable' });
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down)))); // length of the outage itself
    const failedDuringOutage = outcomes.length;

    await nats.start();
    await eventually(bothReady(200), Boolean, { what: 'both processes ready again', timeoutMs: 15_000 });
    await eventually(seen, (ns) => ns.length === 10, { what: 'events published during the outage', timeoutMs: 15_000 });
    expect((await seen()).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await eventually(() => outcomes.slice(failedDuringOutage).includes('ok'), Boolean, { what: 'calls succeeding again' });

    traffic = false;
    await caller;
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'unavailable')).toEqual([]); // failures are typed, nothing else
    expect(outcomes).toContain('unavailable');
    expect(await tally.runtime.deadLetters()).toEqual([]);
  });

  it('shuts a process down promptly even while the broker is unreachable', async () => {
    await nats.stop();
    const started = Date.now();
    await Promise.all(nodes.map((n) => n.runtime.stop()));
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
