import { createHmac, randomUUID } from 'node:crypto';
import type { ShopClient } from './client.ts';
import { CARRIER_SECRET } from './env.ts';
import { eventually } from './eventually.ts';

export interface Line {
  productId: string;
  quantity?: number;
}

/** A customer going through the shop by HTTP: register, save an address, fill the cart, check out. */
export class Shopper {
  private constructor(
    private readonly api: ShopClient,
    readonly id: string,
    readonly email: string,
    readonly token: string,
    private readonly addressId: string,
  ) {}

  static async register(api: ShopClient, name = 'Shopper'): Promise<Shopper> {
    const c = await api.registerCustomer(name);
    const address = { name, line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
    const res = await api.post('/api/users/me/addresses', address, c.token);
    if (res.status !== 201) throw new Error(`address failed: ${res.status} ${JSON.stringify(res.body)}`);
    return new Shopper(api, c.id, c.email, c.token, res.body.id);
  }

  /** Puts the lines in the cart and checks out; answers the new order's id. */
  async checkout(lines: Line[], paymentToken = 'tok_visa'): Promise<string> {
    for (const { productId, quantity = 1 } of lines) {
      const res = await this.api.post('/api/cart/items', { productId, quantity }, this.token);
      if (res.status !== 200) throw new Error(`add to cart failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const body = { addressId: this.addressId, shippingMethod: 'standard', paymentToken };
    const res = await this.api.post('/api/orders', body, this.token, { 'Idempotency-Key': randomUUID() });
    if (res.status !== 202) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  /** Waits until the order reached the status (or any later one the test accepts). */
  async orderReaches(orderId: string, status: string): Promise<void> {
    await eventually(
      async () => (await this.api.get(`/api/orders/${orderId}`, this.token)).body.status,
      (s) => s === status,
      { what: `order ${orderId} to be ${status}` },
    );
  }

  /** Checks out and waits until the order is paid. */
  async buy(lines: Line[]): Promise<string> {
    const orderId = await this.checkout(lines);
    await this.orderReaches(orderId, 'paid');
    return orderId;
  }

  async setEmailNotifications(on: boolean): Promise<void> {
    const res = await this.api.patch('/api/users/me', { preferences: { emailNotifications: on } }, this.token);
    if (res.status !== 200) throw new Error(`preferences failed: ${res.status}`);
  }

  async wish(productId: string): Promise<void> {
    const res = await this.api.post('/api/wishlist/items', { productId }, this.token);
    if (res.status !== 201 && res.status !== 200) throw new Error(`wish failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** The carrier reports the order's parcel moving (in_transit) or arrived (delivered), by signed webhook. */
  async carrierReports(orderId: string, status: 'in_transit' | 'delivered'): Promise<void> {
    const trackingNumber = await eventually(
      async () => (await this.api.get(`/api/orders/${orderId}`, this.token)).body.shipment?.trackingNumber as string | undefined,
      Boolean,
      { what: `a shipment for order ${orderId}` },
    );
    const raw = JSON.stringify({ trackingNumber, status, at: new Date().toISOString() });
    const signature = createHmac('sha256', CARRIER_SECRET).update(raw).digest('hex');
    const res = await this.api.http().post('/api/logistics/carrier-events')
      .set('Content-Type', 'application/json').set('X-Carrier-Signature', signature).send(raw);
    if (res.status !== 204) throw new Error(`carrier report failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
