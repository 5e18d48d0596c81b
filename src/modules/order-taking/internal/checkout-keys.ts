import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { conflict, unprocessable } from '../../../kernel/errors.ts';
import type { Tx } from '../../../kernel/persistence/sql.ts';
import type { Checkout, Order } from '../contract.ts';
import type { OrderTakingStore } from './order-taking-store.ts';

/**
 * A reservation older than this is taken to belong to an attempt that died (a crashed process)
 * and may be taken over; a live checkout finishes well within it.
 */
const STALE_AFTER_MS = 30_000;

export type KeyClaim = { kind: 'claimed'; attempt: string } | { kind: 'replay'; order: Order };

/** Idempotency of checkouts: one order per (user, key), however many times it is sent. */
export class CheckoutKeys {
  constructor(private readonly store: OrderTakingStore) {}

  /**
   * Reserves the key in its own transaction before any work, so concurrent duplicates see it:
   * they get the first answer once it exists, or a conflict while it is being made.
   */
  claim(userId: string, key: string, checkout: z.output<typeof Checkout>, now = Date.now()): Promise<KeyClaim> {
    const requestHash = hashCheckout(checkout);
    const attempt = randomUUID();
    return this.store.transaction(async (tx): Promise<KeyClaim> => {
      if (await this.store.reserveCheckoutKey(tx, { userId, key, requestHash, attempt, reservedAt: now })) return { kind: 'claimed', attempt };
      const existing = (await this.store.findCheckoutKey(userId, key, tx))!;
      if (existing.requestHash !== requestHash) throw unprocessable('This Idempotency-Key was already used for another checkout; send a new key');
      if (existing.response) return { kind: 'replay', order: existing.response };
      if (now - existing.reservedAt < STALE_AFTER_MS || !(await this.store.takeOverCheckoutKey(tx, existing, attempt, now))) {
        throw conflict('A checkout with this Idempotency-Key is still in progress; retry in a moment');
      }
      return { kind: 'claimed', attempt };
    });
  }

  /** Binds the key to its order; call inside the transaction that takes the order. */
  async complete(tx: Tx, userId: string, key: string, attempt: string, order: Order): Promise<void> {
    if (!(await this.store.completeCheckoutKey(tx, userId, key, attempt, order))) {
      throw conflict('This checkout took too long and was retried meanwhile; see your orders');
    }
  }

  /** Lets the customer retry a key whose checkout failed before an order existed. */
  async release(userId: string, key: string, attempt: string): Promise<void> {
    await this.store.transaction((tx) => this.store.releaseCheckoutKey(tx, userId, key, attempt));
  }
}

/** The same checkout always hashes the same, whatever the order of its fields. */
function hashCheckout(checkout: z.output<typeof Checkout>): string {
  return createHash('sha256').update(JSON.stringify([checkout.addressId, checkout.shippingMethod, checkout.paymentToken])).digest('hex');
}
