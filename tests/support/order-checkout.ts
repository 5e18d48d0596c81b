import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { rowsIn } from './db.ts';
import { eventually } from './eventually.ts';
import { orderFootprint, type OrderShop } from './order-shop.ts';

const ADDRESS = { name: 'Ann', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
let serial = 0;

/**
 * Checkouts on an order shop (tests/support/order-shop.ts). `shopOf` is asked anew on every use,
 * so an order placed before a restart is followed on the restarted shop.
 */
export function checkoutOn(shopOf: () => OrderShop) {
  const sagaRow = async (orderId: string) =>
    (await rowsIn<{ cancel_requested: string | null }>(shopOf(), 'order-processing', sql`SELECT * FROM order_sagas WHERE order_id = ${orderId}`))[0];

  /** A customer who checks out `quantity` units of a fresh product of which `onHand` are in stock. */
  return async function checkout({ quantity = 2, onHand = 10, paymentToken = 'tok_visa' } = {}) {
    const shop = shopOf();
    const productId = `p-${Date.now()}-${serial++}`;
    shop.fakes.warehouse.stock.set(productId, { onHand, reserved: 0 });
    const c = await shop.api.registerCustomer();
    const address = await shop.api.post('/api/users/me/addresses', ADDRESS, c.token);
    shop.fakes.cart.carts.set(c.id, [{ productId, quantity, unitPrice: 1000 }]);
    const res = await shop.api.post('/api/orders', { addressId: address.body.id, shippingMethod: 'standard', paymentToken }, c.token, { 'Idempotency-Key': `k-${productId}` });
    expect(res.status).toBe(202);
    const orderId: string = res.body.id;
    const order = async () => (await shopOf().api.get(`/api/orders/${orderId}`, c.token)).body;
    return {
      orderId,
      productId,
      stock: () => shopOf().fakes.warehouse.stock.get(productId)!,
      /** Resolves once the saga has noted the customer's cancellation (it may still be busy with a step). */
      cancelRecorded: () => eventually(async () => (await sagaRow(orderId))?.cancel_requested, Boolean, { what: 'the cancellation to be recorded' }),
      order,
      /** What a refused cancellation must leave as it was. */
      footprint: () => orderFootprint(shopOf(), c.token, orderId),
      cancel: () => shopOf().api.post(`/api/orders/${orderId}/cancel`, undefined, c.token),
      reaches: (status: string, accept: (order: any) => boolean = () => true) =>
        eventually(order, (o) => o.status === status && accept(o), { what: `order ${status}` }),
    };
  };
}
