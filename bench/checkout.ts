import { randomUUID } from 'node:crypto';
import { mapLimit } from '../tools/map-limit.ts';
import { call, percentile } from './http.ts';

export interface Customer {
  token: string;
  addressId: string;
}

export interface CheckoutFigures {
  ordersPlaced: number;
  ordersPaid: number;
  paidPerSecond: number;
  p50ToPaidMs: number;
  p99ToPaidMs: number;
  errors: number;
}

interface Placed {
  id: string;
  token: string;
  t0: number;
}

/**
 * Many customers, each adding an item and checking out with tok_visa, for `seconds`.
 * Time to paid = the server's `paid` timestamp in the order history minus the moment the client
 * sent POST /api/orders (one clock: same machine). Orders are read once each after the window.
 */
export async function driveCheckouts(baseUrl: string, customers: Customer[], productIds: string[], seconds: number): Promise<CheckoutFigures> {
  const placed: Placed[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await mapLimit(customers, customers.length, async (c) => {
    while (Date.now() < until) {
      const productId = productIds[Math.floor(Math.random() * productIds.length)];
      const add = await call(baseUrl, 'POST', '/api/cart/items', { token: c.token, body: { productId, quantity: 1 } });
      if (add.status !== 200) {
        errors++;
        continue;
      }
      const t0 = Date.now();
      const res = await call<{ id: string }>(baseUrl, 'POST', '/api/orders', {
        token: c.token,
        headers: { 'idempotency-key': randomUUID() },
        body: { addressId: c.addressId, shippingMethod: 'standard', paymentToken: 'tok_visa' },
      });
      if (res.status !== 202) errors++;
      else placed.push({ id: res.body.id, token: c.token, t0 });
    }
  });

  const paidAt = new Map<string, number>();
  const deadline = Date.now() + 60_000;
  let open = placed;
  while (open.length && Date.now() < deadline) {
    const still = await mapLimit(open, 20, async (o) => {
      const res = await call<{ status: string; history: Array<{ status: string; at: string }> }>(baseUrl, 'GET', `/api/orders/${o.id}`, { token: o.token });
      const paid = res.body?.history?.find((h) => h.status === 'paid');
      if (paid) paidAt.set(o.id, Date.parse(paid.at));
      else if (res.body?.status === 'cancelled') errors++;
      else return o;
      return null;
    });
    open = still.filter((o): o is Placed => o !== null);
    if (open.length) await new Promise((r) => setTimeout(r, 200));
  }
  errors += open.length;
  const latencies = placed.filter((o) => paidAt.has(o.id)).map((o) => paidAt.get(o.id)! - o.t0);
  const first = Math.min(...placed.map((o) => o.t0));
  const last = Math.max(...paidAt.values());
  return {
    ordersPlaced: placed.length,
    ordersPaid: paidAt.size,
    paidPerSecond: paidAt.size / ((last - first) / 1000),
    p50ToPaidMs: percentile(latencies, 50),
    p99ToPaidMs: percentile(latencies, 99),
    errors,
  };
}
