import type { z } from 'zod';
import { MONEY_LIMIT, withinMoneyLimit, type Api } from '../../../kernel/contract.ts';
import { unprocessable } from '../../../kernel/errors.ts';
import type { CartContract } from '../../cart/contract.ts';
import type { LogisticsContract } from '../../logistics/contract.ts';
import type { UserContract } from '../../user/contract.ts';
import type { Checkout, Order, ShippingAddress } from '../contract.ts';

export type OrderDraft = Pick<Order, 'items' | 'subtotal' | 'shippingCost' | 'total' | 'shippingMethod'> & {
  address: z.output<typeof ShippingAddress>;
};

/**
 * Works out what an order would be: the cart at current prices, the address, the shipping cost.
 * Refuses (unprocessable) an order whose subtotal or total would pass the money bound.
 */
export class OrderDrafts {
  constructor(
    private readonly cart: Api<CartContract>,
    private readonly user: Api<UserContract>,
    private readonly logistics: Api<LogisticsContract>,
  ) {}

  async draft(userId: string, checkout: z.output<typeof Checkout>): Promise<OrderDraft> {
    const [cart, address] = await Promise.all([this.cart.getCart({ userId }), this.user.getAddress({ userId, addressId: checkout.addressId })]);
    if (cart.items.length === 0) throw unprocessable('Your cart is empty');
    const unavailable = cart.items.filter((line) => !line.available);
    if (unavailable.length) throw unprocessable(`No longer sold: ${unavailable.map((l) => l.name).join(', ')}; remove it from your cart`);

    const items = cart.items.map((l) => ({ productId: l.productId, name: l.name, unitPrice: l.unitPrice, quantity: l.quantity, lineTotal: l.unitPrice * l.quantity }));
    // Every line total is part of the subtotal, so the subtotal alone decides for the lines.
    const subtotal = items.reduce((sum, l) => sum + l.lineTotal, 0);
    if (!cart.withinLimits || !withinMoneyLimit(subtotal)) throw unprocessable(`Your cart comes to more than ${MONEY_LIMIT}; take some units out`);

    const lines = cart.items.map(({ productId, quantity }) => ({ productId, quantity }));
    const quote = await this.logistics.quote({ items: lines, address: { country: address.country, postalCode: address.postalCode } });
    const option = quote.options.find((o) => o.method === checkout.shippingMethod);
    if (!option) throw unprocessable(`No ${checkout.shippingMethod} shipping to this address`);
    // Checked here, where the total is made: past this point the order is stored and announced.
    const total = subtotal + option.cost;
    if (!withinMoneyLimit(total)) throw unprocessable(`With ${checkout.shippingMethod} shipping this order would cost more than ${MONEY_LIMIT}`);

    const { id: _id, createdAt: _created, ...shippingAddress } = address;
    return { items, subtotal, shippingCost: option.cost, total, shippingMethod: checkout.shippingMethod, address: shippingAddress };
  }
}
