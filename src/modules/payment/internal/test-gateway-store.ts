import { and, eq, sql, sum } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { gatewayCharges, gatewayRefunds } from './schema.ts';
import { param as p } from '../../../kernel/persistence/statements.ts';

export type GatewayChargeRow = typeof gatewayCharges.$inferSelect;

/** A value in SET: the placeholder bound as is. */
const v = (name: string) => sql`${p(name)}`;

/** The test gateway's ledger: the only SQL of the gateway (it lives in payment's database). Statements are prepared once, at start. */
export class TestGatewayStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const byKey = eq(gatewayCharges.idempotencyKey, p('idempotencyKey'));
    const refundsOf = eq(gatewayRefunds.chargeReference, p('reference'));
    this.q = {
      charge: db.select().from(gatewayCharges).where(byKey).prepare(),
      capturedByReference: db.select().from(gatewayCharges).where(and(eq(gatewayCharges.reference, p('reference')), eq(gatewayCharges.status, 'captured'))).prepare(),
      saveCharge: db
        .insert(gatewayCharges)
        .values({
          idempotencyKey: p('idempotencyKey'), token: p('token'), amount: p('amount'), status: p('status'), reference: p('reference'), reason: p('reason'),
          requests: 1, createdAt: p('now'), updatedAt: p('now'),
        })
        .onConflictDoUpdate({
          target: gatewayCharges.idempotencyKey,
          set: { status: v('status'), reference: v('reference'), reason: v('reason'), requests: sql`${gatewayCharges.requests} + 1`, updatedAt: v('now') },
        })
        .prepare(),
      countRequest: db.update(gatewayCharges).set({ requests: sql`${gatewayCharges.requests} + 1` }).where(byKey).prepare(),
      refund: db.select().from(gatewayRefunds).where(eq(gatewayRefunds.idempotencyKey, p('idempotencyKey'))).prepare(),
      refundedSoFar: db.select({ total: sum(gatewayRefunds.amount) }).from(gatewayRefunds).where(refundsOf).prepare(),
      saveRefund: db.insert(gatewayRefunds).values({ idempotencyKey: p('idempotencyKey'), chargeReference: p('chargeReference'), amount: p('amount'), createdAt: p('createdAt') }).prepare(),
      charges: db.select().from(gatewayCharges).prepare(),
      refunds: db.select().from(gatewayRefunds).where(refundsOf).prepare(),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  charge(idempotencyKey: string): GatewayChargeRow | undefined {
    return this.q.charge.get({ idempotencyKey });
  }

  capturedByReference(reference: string): GatewayChargeRow | undefined {
    return this.q.capturedByReference.get({ reference });
  }

  /** Records a request: a new row, or the new outcome of a key that failed transiently before. */
  saveCharge(row: Omit<GatewayChargeRow, 'requests' | 'createdAt' | 'updatedAt'>): void {
    const { idempotencyKey, token, amount, status, reference, reason } = row;
    this.q.saveCharge.run({ idempotencyKey, token, amount, status, reference, reason, now: new Date().toISOString() });
  }

  countRequest(idempotencyKey: string): void {
    this.q.countRequest.run({ idempotencyKey });
  }

  hasRefund(idempotencyKey: string): boolean {
    return this.q.refund.get({ idempotencyKey }) !== undefined;
  }

  refundedSoFar(reference: string): number {
    return Number(this.q.refundedSoFar.get({ reference })?.total ?? 0);
  }

  saveRefund(idempotencyKey: string, chargeReference: string, amount: number): void {
    this.q.saveRefund.run({ idempotencyKey, chargeReference, amount, createdAt: new Date().toISOString() });
  }

  /** Every charge with its outcome (operators and tests: "was this card charged exactly once?"). */
  charges(): GatewayChargeRow[] {
    return this.q.charges.all();
  }

  refunds(chargeReference: string) {
    return this.q.refunds.all({ reference: chargeReference });
  }
}
