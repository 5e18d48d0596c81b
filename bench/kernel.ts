import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localProxy } from '../src/kernel/calls.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { Runtime } from '../src/kernel/runtime.ts';
import { Kernel } from '../src/kernel/tokens.ts';
import type { Transport } from '../src/kernel/transport.ts';
import type { ModuleDb } from '../src/kernel/persistence/sql.ts';
import { consumerModule, handledCount, producerContract, producerModule } from './fixtures/bench-modules.ts';

const logger = createLogger('silent');

/** Microseconds per call: a contract call through the in-process proxy vs a plain async function. */
export async function measureCalls(iterations = 200_000): Promise<{ contractCallUs: number; plainCallUs: number }> {
  const impl = { echo: ({ a, b }: { a: number; b: string }) => ({ sum: a + b.length }), emit: () => ({ emitted: 0 }) };
  const proxy = localProxy(producerContract, impl, logger);
  const plain = async (x: { a: number; b: string }) => ({ sum: x.a + x.b.length });
  const time = async (fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 10_000; i++) await fn(i); // warm-up
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn(i);
    return Number(process.hrtime.bigint() - start) / 1000 / iterations;
  };
  const contractCallUs = await time((i) => proxy.echo({ a: i, b: 'cleave' }));
  const plainCallUs = await time((i) => plain({ a: i, b: 'cleave' }));
  return { contractCallUs, plainCallUs };
}

function benchConfig(dataDir: string) {
  return loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-bench-secret-bench-secret!', EVENT_POLL_MS: '1000' });
}

/**
 * Durable events per second, publish -> handled: each event is written to the producer's outbox
 * in its own transaction, relayed, stored in the consumer's inbox and handled in a transaction.
 * With `transports`, producer and consumer run in two runtimes joined by those transports (NATS).
 */
export async function measureEvents(count = 20_000, transports?: () => Promise<[Transport, Transport]>): Promise<{ eventsPerSecond: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cleave-bench-kernel-'));
  const modules = [producerModule, consumerModule];
  const config = benchConfig(dataDir);
  let producer: Runtime;
  let consumer: Runtime;
  if (transports) {
    const [a, b] = await transports();
    producer = await Runtime.start({ config, logger, modules, hosted: ['bench-producer'], gateway: false, transport: a });
    consumer = await Runtime.start({ config, logger, modules, hosted: ['bench-consumer'], gateway: false, transport: b });
  } else {
    producer = consumer = await Runtime.start({ config, logger, modules, hosted: ['bench-producer', 'bench-consumer'], gateway: false });
  }
  const consumerDb = consumer.containerOf('bench-consumer').get<ModuleDb>(Kernel.Db);
  const start = process.hrtime.bigint();
  await producer.use(producerContract).emit({ count });
  while ((await handledCount(consumerDb)) < count) await new Promise((r) => setTimeout(r, 2));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await producer.stop();
  if (consumer !== producer) await consumer.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { eventsPerSecond: count / seconds };
}
