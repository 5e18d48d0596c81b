import { and, eq, sql, sum } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { gatewayCharges, gatewayRefunds } from './schema.ts';

export type GatewayChargeRow = typeof gatewayCharges.$inferSelect;

/** The test gateway's ledger: the only SQL of the gateway (it lives in payment's database). */
export class TestGatewayStore {
  constructor(private readonly db: Db) {}

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  charge(idempotencyKey: string): GatewayChargeRow | undefined {
    return this.db.select().from(gatewayCharges).where(eq(gatewayCharges.idempotencyKey, idempotencyKey)).get();
  }

  capturedByReference(reference: string): GatewayChargeRow | undefined {
    return this.db.select().from(gatewayCharges).where(and(eq(gatewayCharges.reference, reference), eq(gatewayCharges.status, 'captured'))).get();
  }

  /** Records a request: a new row, or the new outcome of a key that failed transiently before. */
  saveCharge(row: Omit<GatewayChargeRow, 'requests' | 'createdAt' | 'updatedAt'>): void {
    const now = new Date().toISOString();
    this.db
      .insert(gatewayCharges)
      .values({ ...row, requests: 1, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: gatewayCharges.idempotencyKey,
        set: { status: row.status, reference: row.reference, reason: row.reason, requests: sql`${gatewayCharges.requests} + 1`, updatedAt: now },
      })
      .run();
  }

  countRequest(idempotencyKey: string): void {
    this.db.update(gatewayCharges).set({ requests: sql`${gatewayCharges.requests} + 1` }).where(eq(gatewayCharges.idempotencyKey, idempotencyKey)).run();
  }

  hasRefund(idempotencyKey: string): boolean {
    return this.db.select().from(gatewayRefunds).where(eq(gatewayRefunds.idempotencyKey, idempotencyKey)).get() !== undefined;
  }

  refundedSoFar(reference: string): number {
    return Number(this.db.select({ total: sum(gatewayRefunds.amount) }).from(gatewayRefunds).where(eq(gatewayRefunds.chargeReference, reference)).get()?.total ?? 0);
  }

  saveRefund(idempotencyKey: string, chargeReference: string, amount: number): void {
    this.db.insert(gatewayRefunds).values({ idempotencyKey, chargeReference, amount, createdAt: new Date().toISOString() }).run();
  }

  /** Every charge with its outcome (operators and tests: "was this card charged exactly once?"). */
  charges(): GatewayChargeRow[] {
    return this.db.select().from(gatewayCharges).all();
  }

  refunds(chargeReference: string) {
    return this.db.select().from(gatewayRefunds).where(eq(gatewayRefunds.chargeReference, chargeReference)).all();
  }
}
