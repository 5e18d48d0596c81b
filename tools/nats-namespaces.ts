import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsNames } from '../src/kernel/nats/names.ts';

/** The NATS server every machine runs (tests must not stop it; tests/support/own-nats-server.ts starts one that may be). */
export const SHARED_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A namespace no other run uses, so runs sharing the server (tests, the benchmark) never hear each other. */
export function uniqueNamespace(tag = 't'): string {
  return `test_${tag}_${process.pid}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Deletes a namespace's event stream (and with it its consumers). */
export async function dropNamespace(namespace: string, url = SHARED_NATS_URL): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(natsNames(namespace).stream).catch(() => false);
  } finally {
    await nc.close();
  }
}
