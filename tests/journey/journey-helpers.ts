import { createHmac, randomUUID } from 'node:crypto';
import { ShopClient } from '../support/client.ts';
import { CARRIER_SECRET } from '../support/env.ts';
import { eventually } from '../support/eventually.ts';

/**
 * What a customer, an admin and the carrier do in the shop, all through its public HTTP API, so
 * the same journeys run against the monolith and against the gateway of a split deployment.
 */

export interface Customer {
  id: string;
  email: string;
  token: string;
  addressId: string;
}

export interface Order {
  id: string;
  status: string;
  cancelReason?: string;
  items: Array<{ productId: string; quantity: number }>;
  total: number;
  history: Array<{ status: string; at: string }>;
  payment?: { status: string };
  shipment?: { trackingNumber: string; status: string };
}

export interface Stock {
  onHand: number;
  reserved: number;
  available: number;
}

/** Statuses an order rests in until someone acts (the customer, the carrier). */
export const SETTLED = ['paid', 'cancelled', 'shipped', 'delivered'];

let serial = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${(serial++).toString(36)}-${randomUUID().slice(0, 6)}`;

export class Journeys {
  readonly api: ShopClient;
  private admin: Promise<string> | null = null;
  private category: Promise<string> | null = null;

  constructor(url: string) {
    this.api = new ShopClient(url);
  }

  adminToken(): Promise<string> {
    this.admin ??= this.api.adminToken();
    return this.admin;
  }

  /** A new product (admin) with `onHand` units in the warehouse. */
  async product({ price = 2500, onHand = 10, name = 'Walnut desk lamp' } = {}): Promise<{ id: string; name: string; price: number }> {
    const admin = await this.adminToken();
    this.category ??= this.api.post('/api/categories', { name: 'Journeys', slug: unique('journeys') }, admin).then((r) => expectStatus(r, 201).body.id);
    const sku = unique('sku');
    const body = { sku, name: `${name} ${sku}`, description: 'A warm light for long evenings', categoryId: await this.category, price, weightGrams: 800 };
    const product = expectStatus(await this.api.post('/api/products', body, admin), 201).body;
    // The warehouse learns about the product from the catalog's event, a moment later.
    await eventually(async () => (await this.api.put(`/api/inventory/${product.id}`, { onHand }, admin)).status, (s) => s === 200, { what: `stock of ${product.id}` });
    return product;
  }

  /** A newly registered customer with a saved address. */
  async customer(): Promise<Customer> {
    const c = await this.api.registerCustomer();
    const address = { name: 'Grace Hopper', line1: '1 Harbour Road', city: 'Arlington', postalCode: '22201', country: 'US' };
    const saved = expectStatus(await this.api.post('/api/users/me/addresses', address, c.token), 201);
    return { id: c.id, email: c.email, token: c.token, addressId: saved.body.id };
  }

  async addToCart(customer: Customer, productId: string, quantity = 1): Promise<void> {
    expectStatus(await this.api.post('/api/cart/items', { productId, quantity }, customer.token), 200);
  }

  /** Checks out the cart; `key: null` leaves the Idempotency-Key header out; `headers` go along (a `traceparent`, say). */
  checkout(
    customer: Customer,
    { key = randomUUID() as string | null, paymentToken = 'tok_visa', shippingMethod = 'standard', headers = {} as Record<string, string> } = {},
  ) {
    const body = { addressId: customer.addressId, shippingMethod, paymentToken };
    return this.api.post('/api/orders', body, customer.token, key === null ? headers : { ...headers, 'Idempotency-Key': key });
  }

  async order(customer: Customer, orderId: string): Promise<Order> {
    return expectStatus(await this.api.get(`/api/orders/${orderId}`, customer.token), 200).body;
  }

  /** Waits until the order reaches `status` (and `accept` agrees). */
  reaches(customer: Customer, orderId: string, status: string, accept: (o: Order) => boolean = () => true, timeoutMs = 15_000): Promise<Order> {
    return eventually(() => this.order(customer, orderId), (o) => o.status === status && accept(o), { what: `order ${orderId} to be ${status}`, timeoutMs, intervalMs: 50 });
  }

  /** Waits until the order rests: paid, shipped, delivered or cancelled. */
  settles(customer: Customer, orderId: string, timeoutMs = 15_000): Promise<Order> {
    return eventually(() => this.order(customer, orderId), (o) => SETTLED.includes(o.status), { what: `order ${orderId} to settle`, timeoutMs, intervalMs: 100 });
  }

  async stock(productId: string): Promise<Stock> {
    return expectStatus(await this.api.get(`/api/inventory/${productId}`, await this.adminToken()), 200).body;
  }

  /** The order's payments as the shop's admin sees them (an order with none has an empty list). */
  async payments(orderId: string): Promise<Array<{ status: string; amount: number; attempts: number }>> {
    return expectStatus(await this.api.get(`/api/payments?orderId=${encodeURIComponent(orderId)}`, await this.adminToken()), 200).body.items;
  }

  /**
   * What the shop's event machinery holds right now, for a failure message: every non-zero
   * backlog, retry and dead-letter figure of /metrics (of the process the URL reaches). A wait
   * that times out then says whether events were stuck, retried or dead, and in which module.
   */
  async eventBacklog(): Promise<string> {
    const res = await this.api.get('/metrics');
    const wanted = /^(inbox_pending_events|inbox_oldest_pending_age_seconds|outbox_unpublished_events|dead_letters|events_handled_total\{[^}]*outcome="(retried|dead)")/;
    const lines = String(res.text ?? '').split('\n').filter((l) => wanted.test(l) && !/ 0$/.test(l));
    return lines.length > 0 ? lines.join('\n') : 'no event waiting, retried or dead (in this process)';
  }

  /** The carrier's webhook: signed with the HMAC-SHA256 of the exact bytes sent. */
  carrierReports(trackingNumber: string, status: 'in_transit' | 'delivered') {
    const raw = JSON.stringify({ trackingNumber, status, at: new Date().toISOString() });
    const signature = createHmac('sha256', CARRIER_SECRET).update(raw).digest('hex');
    return this.api.http().post('/api/logistics/carrier-events').set('Content-Type', 'application/json').set('X-Carrier-Signature', signature).send(raw);
  }
}

/** Fails with the response body in the message, which says more than a bare status mismatch. */
export function expectStatus<R extends { status: number; body: any }>(res: R, status: number): R {
  if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}
