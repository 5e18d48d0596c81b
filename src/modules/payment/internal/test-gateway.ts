import { randomUUID } from 'node:crypto';
import type { Card, CardToken } from '../contract.ts';
import type { ChargeResult, PaymentGateway, RefundResult } from './payment-gateway.ts';
import { tokenizeTestCard } from './test-cards.ts';
import type { GatewayChargeRow, TestGatewayStore } from './test-gateway-store.ts';

/**
 * The built-in gateway, behaving like a card processor's test mode:
 *   tok_visa            captured
 *   tok_chargeDeclined  declined ("card_declined")
 *   tok_flaky           a transient failure on the first request for a key, captured when retried
 *   anything else       declined ("invalid_token")
 * Like a real processor it is idempotent by key: a repeated key gets its first final outcome.
 * Being a test mode, it also turns test card numbers into those tokens (test-cards.ts).
 */
export class TestGateway implements PaymentGateway {
  constructor(readonly ledger: TestGatewayStore) {}

  async charge(token: string, amount: number, idempotencyKey: string): Promise<ChargeResult> {
    return this.ledger.transaction(async (tx) => {
      const seen = await this.ledger.charge(idempotencyKey, tx);
      if (seen && seen.status !== 'failed_transient') {
        await this.ledger.countRequest(tx, idempotencyKey);
        return resultOf(seen);
      }
      const outcome = decide(token, seen !== undefined);
      await this.ledger.saveCharge(tx, {
        idempotencyKey,
        token,
        amount,
        status: outcome.status,
        reference: outcome.status === 'captured' ? `ch_${randomUUID()}` : null,
        reason: outcome.reason ?? null,
      });
      return resultOf((await this.ledger.charge(idempotencyKey, tx))!);
    });
  }

  tokenizeTestCard(card: Card): CardToken {
    return tokenizeTestCard(card);
  }

  async refund(reference: string, amount: number, idempotencyKey: string): Promise<RefundResult> {
    return this.ledger.transaction(async (tx): Promise<RefundResult> => {
      if (await this.ledger.hasRefund(idempotencyKey, tx)) return { outcome: 'refunded' };
      const charge = await this.ledger.capturedByReference(reference, tx);
      if (!charge) return { outcome: 'rejected', reason: 'unknown_charge' };
      if ((await this.ledger.refundedSoFar(reference, tx)) + amount > charge.amount) return { outcome: 'rejected', reason: 'amount_exceeds_charge' };
      await this.ledger.saveRefund(tx, idempotencyKey, reference, amount);
      return { outcome: 'refunded' };
    });
  }
}

function decide(token: string, triedBefore: boolean): { status: GatewayChargeRow['status']; reason?: string } {
  switch (token) {
    case 'tok_visa':
      return { status: 'captured' };
    case 'tok_chargeDeclined':
      return { status: 'declined', reason: 'card_declined' };
    case 'tok_flaky':
      return triedBefore ? { status: 'captured' } : { status: 'failed_transient', reason: 'processor_unavailable' };
    default:
      return { status: 'declined', reason: 'invalid_token' };
  }
}

function resultOf(row: GatewayChargeRow): ChargeResult {
  const outcome = row.status === 'failed_transient' ? 'transient' : row.status;
  return { outcome, ...(row.reference ? { reference: row.reference } : {}), ...(row.reason ? { reason: row.reason } : {}) };
}
