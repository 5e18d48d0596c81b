import { z } from 'zod';
import { call, Cents, defineContract, event, Id, Timestamp, Viewer } from '../../kernel/contract.ts';

export const Payment = z.object({
  id: Id,
  orderId: Id,
  amount: Cents,
  currency: z.literal('USD'),
  status: z.enum(['authorized', 'captured', 'declined', 'refunded']),
  /** Attempts made at the gateway (a transient failure is retried). */
  attempts: z.number().int().min(0),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Payment = z.infer<typeof Payment>;

/** What the customer's payment method gave the shop to charge (the gateway's token). */
export const PaymentToken = z.string().min(1).max(200);

/** A card as a checkout form takes it. Never stored or logged: it only becomes a token. */
export const Card = z.strictObject({
  /** Spaces and dashes are ignored. */
  number: z.string().max(40),
  expMonth: z.number().int().min(1, 'a month from 1 to 12').max(12, 'a month from 1 to 12'),
  expYear: z.number().int().min(2000, 'a four-digit year').max(9999, 'a four-digit year'),
  cvv: z.string().regex(/^\d{3,4}$/, '3 or 4 digits'),
});
export type Card = z.infer<typeof Card>;

/** A card's token, with what a receipt may show of the card. */
export const CardToken = z.object({ token: PaymentToken, brand: z.enum(['visa', 'mastercard', 'amex', 'other']), last4: z.string().regex(/^\d{4}$/) });
export type CardToken = z.infer<typeof CardToken>;

/** Charges and refunds through a payment gateway (a test gateway is built in). */
export const paymentContract = defineContract(
  'payment',
  {
    /**
     * Charges an order once, whatever the number of calls: keyed by order id. Transient gateway
     * failures are retried with backoff; unavailable if they persist (call again later).
     * `cancelled`: the order's refund came before this charge; nothing is charged.
     */
    charge: call({
      input: z.strictObject({ orderId: Id, userId: Id, amount: Cents, currency: z.literal('USD'), paymentToken: PaymentToken }),
      output: z.discriminatedUnion('status', [
        z.object({ status: z.enum(['captured', 'declined']), paymentId: Id, reason: z.string().optional() }),
        z.object({ status: z.literal('cancelled') }),
      ]),
    }),
    /** Refunds a captured order (idempotent; 'none' if nothing was captured, and a later charge is refused). */
    refund: call({ input: z.strictObject({ orderId: Id }), output: z.object({ status: z.enum(['refunded', 'none']) }) }),
    /**
     * A card's payment token, as a processor's test mode makes one (the card is neither stored nor
     * logged): 4000000000000002 gives tok_chargeDeclined, 4000000000000119 tok_flaky, any other
     * valid number tok_visa. Validation error on `number` (12-19 digits, Luhn check), on
     * `expMonth`/`expYear` (1-12; expired before the current month) or `cvv` (3-4 digits).
     * Unprocessable with a real processor: its own client-side fields tokenize real cards.
     */
    tokenizeCard: call({ input: Card, output: CardToken }),
    /** Payments of an order, for its owner or an admin (others: not found). */
    listPayments: call({ input: z.strictObject({ orderId: Id, viewer: Viewer }), output: z.object({ items: z.array(Payment) }) }),
  },
  {
    captured: event(1, z.object({ orderId: Id, paymentId: Id, amount: Cents })),
    declined: event(1, z.object({ orderId: Id, paymentId: Id, reason: z.string() })),
    refunded: event(1, z.object({ orderId: Id, paymentId: Id, amount: Cents })),
  },
);
export type PaymentContract = typeof paymentContract;
