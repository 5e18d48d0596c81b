import { z } from 'zod';
import { call, Cents, defineContract, event, Id, Paging, Timestamp } from '../../kernel/contract.ts';
import { ShippingMethod } from '../logistics/contract.ts';
import { CancelReason, OrderStatus, PaymentProgress, ShipmentProgress } from '../order-processing/contract.ts';
import { PaymentToken } from '../payment/contract.ts';

export const OrderLine = z.object({ productId: Id, name: z.string(), unitPrice: Cents, quantity: z.number().int().min(1), lineTotal: Cents });
export const ShippingAddress = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string(),
});

export const OrderSummary = z.object({
  id: Id,
  status: OrderStatus,
  cancelReason: CancelReason.optional(),
  items: z.array(OrderLine),
  subtotal: Cents,
  shippingCost: Cents,
  total: Cents,
  currency: z.literal('USD'),
  createdAt: Timestamp,
});

export const Order = OrderSummary.extend({
  shippingMethod: ShippingMethod,
  history: z.array(z.object({ status: OrderStatus, at: Timestamp })),
  payment: PaymentProgress.optional(),
  shipment: ShipmentProgress.optional(),
});
export type Order = z.infer<typeof Order>;

/** An order as the back office sees it: the customer's view, and whose it is. */
export const CustomerOrderSummary = OrderSummary.extend({ userId: Id });
export const CustomerOrder = Order.extend({ userId: Id });

/** What the back office may filter every order by; `from` (inclusive) and `to` (exclusive) bound when it was placed. */
export const OrderFilter = {
  status: OrderStatus.optional(),
  userId: Id.optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
};

export const Checkout = z.strictObject({
  addressId: Id,
  shippingMethod: ShippingMethod,
  paymentToken: PaymentToken,
});

/** Takes orders from carts and shows customers their orders as the flow moves them. */
export const orderTakingContract = defineContract(
  'order-taking',
  {
    /**
     * Places an order from the user's cart at current prices. Idempotent per (user, key): same key
     * and body gives the same order (replayed=true); same key, other body: unprocessable; the first
     * still in progress: conflict. Empty cart: unprocessable; unknown address: not found.
     */
    placeOrder: call({
      input: z.strictObject({ userId: Id, idempotencyKey: z.string().min(1).max(200), checkout: Checkout }),
      output: z.object({ order: Order, replayed: z.boolean() }),
    }),
    /** The user's orders, newest first. */
    listOrders: call({
      input: z.strictObject({ userId: Id, ...Paging }),
      output: z.object({ items: z.array(OrderSummary), total: z.number().int() }),
    }),
    /** One of the user's orders with its history; not found if it is someone else's. */
    getOrder: call({ input: z.strictObject({ userId: Id, orderId: Id }), output: Order }),
    /** Asks to cancel one of the user's orders; conflict once shipped. Idempotent. */
    cancelOrder: call({ input: z.strictObject({ userId: Id, orderId: Id }), output: z.object({ status: OrderStatus }) }),
    /** Back office: every customer's orders, newest first, filtered. */
    findOrders: call({
      input: z.strictObject({ ...OrderFilter, ...Paging }),
      output: z.object({ items: z.array(CustomerOrderSummary), total: z.number().int() }),
    }),
    /** Back office: any order with its history, payment and shipment, and its customer. */
    inspectOrder: call({ input: z.strictObject({ orderId: Id }), output: CustomerOrder }),
    /** Back office: cancels any order (reason admin_request): refund, stock back; conflict once shipped. Idempotent. */
    cancelAnyOrder: call({
      input: z.strictObject({ orderId: Id, adminId: Id, note: z.string().max(500).optional() }),
      output: z.object({ status: OrderStatus }),
    }),
  },
  {
    /** An order was taken; order-processing runs it from here. */
    placed: event(
      1,
      z.object({
        orderId: Id,
        userId: Id,
        items: z.array(OrderLine),
        subtotal: Cents,
        shippingCost: Cents,
        total: Cents,
        currency: z.literal('USD'),
        shippingMethod: ShippingMethod,
        address: ShippingAddress,
        paymentToken: z.string(),
        placedAt: Timestamp,
      }),
    ),
  },
  { eventPrefix: 'order' },
);
export type OrderTakingContract = typeof orderTakingContract;
