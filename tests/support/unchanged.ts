import { expect } from 'vitest';
import type { ShopClient } from './client.ts';
import { published, type Hosting } from './published.ts';

/** Reads one thing a refused request must leave as it was: an order, a stock level, the events about something. */
export type Probe = () => unknown;

/**
 * A refusal is tested with what did not happen: reads every probe once the shop is quiet, makes
 * the refused request (`refuse` asserts its status), waits until whatever it set off has been
 * handled, and expects every probe to read exactly as before.
 */
export async function expectNothingChangedBy(
  shop: { settled(timeoutMs?: number): Promise<void> },
  probes: Record<string, Probe>,
  refuse: () => Promise<void>,
): Promise<void> {
  await shop.settled();
  const before = await readAll(probes);
  await refuse();
  await shop.settled();
  expect(await readAll(probes), 'what the refused request must have left alone').toEqual(before);
}

/** The order as its owner sees it: status, cancel reason, history, payment, shipment. */
export function orderAsOwnerSees(api: ShopClient, token: string, orderId: string): Probe {
  return async () => {
    const res = await api.get(`/api/orders/${orderId}`, token);
    return { status: res.status, order: res.body };
  };
}

/** Every event the modules published with this key (an order id, a user id), module by module. */
export function eventsKeyed(shop: Hosting, modules: string[], key: string): Probe {
  return async () => Object.fromEntries(await Promise.all(modules.map(async (m) => [m, await published(shop, m, { key })] as const)));
}

async function readAll(probes: Record<string, Probe>): Promise<Record<string, unknown>> {
  const read: Record<string, unknown> = {};
  // A copy: the fakes change their records in place.
  for (const [name, probe] of Object.entries(probes)) read[name] = structuredClone(await probe());
  return read;
}
