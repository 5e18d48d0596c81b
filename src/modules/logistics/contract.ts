import { z } from 'zod';
import { call, Cents, defineContract, event, Id, Timestamp, Viewer } from '../../kernel/contract.ts';
import { CartQuantity } from '../cart/contract.ts';

export const ShippingMethod = z.enum(['standard', 'express']);
export const Destination = z.strictObject({ country: z.string().regex(/^[A-Z]{2}$/), postalCode: z.string().min(1).max(20) });
export const QuoteOption = z.object({ method: ShippingMethod, cost: Cents, currency: z.literal('USD'), etaDays: z.number().int() });
export const ShipmentStatus = z.enum(['created', 'in_transit', 'delivered', 'cancelled']);

export const Shipment = z.object({
  trackingNumber: z.string(),
  orderId: Id,
  status: ShipmentStatus,
  method: ShippingMethod,
  events: z.array(z.object({ status: ShipmentStatus, at: Timestamp })),
});
export type Shipment = z.infer<typeof Shipment>;

/**
 * The most of a carrier webhook body the call carries: twice the HTTP edge's default body limit
 * (100 kB), so a body is judged by its signature before its size (a report is far smaller).
 */
export const MAX_CARRIER_BODY = 200_000;
/** The most of the carrier's signature header the call carries; a longer one cannot be right anyway. */
export const MAX_CARRIER_SIGNATURE = 200;

/** What is shipped: the lines of a cart, or of the order placed from it. */
const Lines = z.array(z.strictObject({ productId: Id, quantity: CartQuantity })).min(1).max(200);

/** Shipping quotes, shipments and the carrier's status reports. */
export const logisticsContract = defineContract(
  'logistics',
  {
    /**
     * Standard and express prices for these items to this destination (by total weight and zone);
     * unprocessable when a price would pass MAX_AMOUNT.
     */
    quote: call({ input: z.strictObject({ items: Lines, address: Destination }), output: z.object({ options: z.array(QuoteOption) }) }),
    /** Books a shipment for an order (idempotent per order). Conflict if the order's shipment was cancelled before it was booked. */
    createShipment: call({
      input: z.strictObject({ orderId: Id, userId: Id, method: ShippingMethod, address: Destination, items: Lines }),
      output: Shipment,
    }),
    /** Cancels an order's shipment if not yet in transit (idempotent; none booked yet: a later booking is refused). Conflict once it moved. */
    cancelShipment: call({ input: z.strictObject({ orderId: Id }), output: z.object({ status: z.enum(['cancelled', 'none']) }) }),
    /** A shipment by tracking number, for its owner or an admin (others: not found). */
    getShipment: call({
      input: z.strictObject({ trackingNumber: z.string().max(100), viewer: Viewer }),
      output: Shipment,
    }),
    /**
     * A carrier webhook call: checks the HMAC-SHA256 signature of the raw body first (unauthorized
     * if wrong, whatever the body), then reads the report (validation error if too long or malformed)
     * and moves the shipment forward (never back; replays are harmless).
     */
    recordCarrierEvent: call({ input: z.strictObject({ rawBody: z.string().max(MAX_CARRIER_BODY), signature: z.string().max(MAX_CARRIER_SIGNATURE) }), output: z.object({}) }),
  },
  {
    shipment_created: event(1, z.object({ orderId: Id, trackingNumber: z.string() })),
    shipment_in_transit: event(1, z.object({ orderId: Id, trackingNumber: z.string(), at: Timestamp })),
    shipment_delivered: event(1, z.object({ orderId: Id, trackingNumber: z.string(), at: Timestamp })),
  },
);
export type LogisticsContract = typeof logisticsContract;
