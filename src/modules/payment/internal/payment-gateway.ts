import type { Card, CardToken } from '../contract.ts';

/** What a gateway answers to a charge; `transient` means "try again with the same key". */
export interface ChargeResult {
  outcome: 'captured' | 'declined' | 'transient';
  /** The capture's reference, needed to refund it. */
  reference?: string;
  /** Why it was declined or failed. */
  reason?: string;
}

export interface RefundResult {
  outcome: 'refunded' | 'rejected' | 'transient';
  reason?: string;
}

/**
 * The port to a card processor. Every request carries an idempotency key: the gateway answers a
 * repeated key with its first outcome, so a retry never charges or refunds twice.
 */
export interface PaymentGateway {
  charge(token: string, amount: number, idempotencyKey: string): Promise<ChargeResult>;
  refund(reference: string, amount: number, idempotencyKey: string): Promise<RefundResult>;
  /**
   * Test mode only: a test card's token (validation error if the card is not valid). A real
   * processor's adapter leaves it out: real card numbers go from the customer's browser to the
   * processor's own fields and never reach the shop.
   */
  tokenizeTestCard?(card: Card): CardToken;
}

/** DI token of the gateway in payment's container. */
export const PaymentGatewayPort = Symbol.for('cleave.payment.PaymentGateway');
