import { and, eq, sql, sum } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type GatewayChargeRow = typeof schemas.postgres.gatewayCharges.$inferSelect;
export type GatewayRefundRow = typeof schemas.postgres.gatewayRefunds.$inferSelect;

/** The test gateway's ledger: the only SQL of the gateway (it lives in payment's database), the same on both engines. */
export class TestGatewayStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async charge(idempotencyKey: string, on: Executor = this.db): Promise<GatewayChargeRow | undefined> {
    const { gatewayCharges } = this.t;
    const [row] = await on.sql.select().from(gatewayCharges).where(eq(gatewayCharges.idempotencyKey, idempotencyKey)).limit(1);
    return row;
  }

  async capturedByReference(reference: string, on: Executor = this.db): Promise<GatewayChargeRow | undefined> {
    const { gatewayCharges } = this.t;
    const [row] = await on.sql.select().from(gatewayCharges).where(and(eq(gatewayCharges.reference, reference), eq(gatewayCharges.status, 'captured'))).limit(1);
    return row;
  }

  /** Records a request: a new row, or the new outcome of a key that failed transiently before. */
  async saveCharge(tx: Tx, row: Omit<GatewayChargeRow, 'requests' | 'createdAt' | 'updatedAt'>): Promise<void> {
    const { gatewayCharges } = this.t;
    const { idempotencyKey, token, amount, status, reference, reason } = row;
    const now = new Date().toISOString();
    await tx.sql
      .insert(gatewayCharges)
      .values({ idempotencyKey, token, amount, status, reference, reason, requests: 1, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: gatewayCharges.idempotencyKey,
        set: { status, reference, reason, requests: sql`${gatewayCharges.requests} + 1`, updatedAt: now },
      });
  }

  async countRequest(tx: Tx, idempotencyKey: string): Promise<void> {
    const { gatewayCharges } = this.t;
    await tx.sql.update(gatewayCharges).set({ requests: sql`${gatewayCharges.requests} + 1` }).where(eq(gatewayCharges.idempotencyKey, idempotencyKey));
  }

  async hasRefund(idempotencyKey: string, on: Executor = this.db): Promise<boolean> {
    const { gatewayRefunds } = this.t;
    const [row] = await on.sql.select({ key: gatewayRefunds.idempotencyKey }).from(gatewayRefunds).where(eq(gatewayRefunds.idempotencyKey, idempotencyKey)).limit(1);
    return row !== undefined;
  }

  async refundedSoFar(reference: string, on: Executor = this.db): Promise<number> {
    const { gatewayRefunds } = this.t;
    // sum() comes back as a string (PostgreSQL's numeric; drizzle maps SQLite's the same way), or null for no rows.
    const [row] = await on.sql.select({ total: sum(gatewayRefunds.amount) }).from(gatewayRefunds).where(eq(gatewayRefunds.chargeReference, reference));
    return Number(row?.total ?? 0);
  }

  async saveRefund(tx: Tx, idempotencyKey: string, chargeReference: string, amount: number): Promise<void> {
    const { gatewayRefunds } = this.t;
    await tx.sql.insert(gatewayRefunds).values({ idempotencyKey, chargeReference, amount, createdAt: new Date().toISOString() });
  }

  /** Every charge with its outcome (operators and tests: "was this card charged exactly once?"). */
  charges(on: Executor = this.db): Promise<GatewayChargeRow[]> {
    const { gatewayCharges } = this.t;
    return on.sql.select().from(gatewayCharges);
  }

  refunds(chargeReference: string, on: Executor = this.db): Promise<GatewayRefundRow[]> {
    const { gatewayRefunds } = this.t;
    return on.sql.select().from(gatewayRefunds).where(eq(gatewayRefunds.chargeReference, chargeReference));
  }
}
