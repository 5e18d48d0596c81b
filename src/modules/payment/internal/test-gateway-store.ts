import { and, eq, sql, sum } from 'drizzle-orm';
import { param, prepared, setParam } from '../../../kernel/persistence/prepared.ts';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type GatewayChargeRow = typeof schemas.postgres.gatewayCharges.$inferSelect;
export type GatewayRefundRow = typeof schemas.postgres.gatewayRefunds.$inferSelect;

/**
 * The test gateway's ledger: the only SQL of the gateway (it lives in payment's database), the
 * same on both engines. The queries of every charge and refund are prepared (kernel prepared.ts):
 * built once per connection, then only run; the operators' and tests' reads are built per call.
 */
export class TestGatewayStore {
  private readonly t;
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { gatewayCharges, gatewayRefunds } = this.t;
    const requestsPlusOne = sql`${gatewayCharges.requests} + 1`;
    this.q = {
      charge: prepared('gateway_charge', (d) => d.select().from(gatewayCharges).where(eq(gatewayCharges.idempotencyKey, param('idempotencyKey')))),
      capturedByReference: prepared('gateway_captured_by_reference', (d) =>
        d.select().from(gatewayCharges).where(and(eq(gatewayCharges.reference, param('reference')), eq(gatewayCharges.status, 'captured'))).limit(1)),
      saveCharge: prepared('gateway_save_charge', (d) =>
        d
          .insert(gatewayCharges)
          .values({
            idempotencyKey: param('idempotencyKey'),
            token: param('token'),
            amount: param('amount'),
            status: param('status'),
            reference: param('reference'),
            reason: param('reason'),
            requests: 1,
            createdAt: param('now'),
            updatedAt: param('now'),
          })
          .onConflictDoUpdate({
            target: gatewayCharges.idempotencyKey,
            set: { status: setParam('status'), reference: setParam('reference'), reason: setParam('reason'), requests: requestsPlusOne, updatedAt: setParam('now') },
          })),
      countRequest: prepared('gateway_count_request', (d) =>
        d.update(gatewayCharges).set({ requests: requestsPlusOne }).where(eq(gatewayCharges.idempotencyKey, param('idempotencyKey')))),
      hasRefund: prepared('gateway_has_refund', (d) =>
        d.select({ key: gatewayRefunds.idempotencyKey }).from(gatewayRefunds).where(eq(gatewayRefunds.idempotencyKey, param('idempotencyKey')))),
      refundedSoFar: prepared('gateway_refunded_so_far', (d) =>
        d.select({ total: sum(gatewayRefunds.amount) }).from(gatewayRefunds).where(eq(gatewayRefunds.chargeReference, param('reference')))),
      saveRefund: prepared('gateway_save_refund', (d) =>
        d.insert(gatewayRefunds).values({ idempotencyKey: param('idempotencyKey'), chargeReference: param('chargeReference'), amount: param('amount'), createdAt: param('createdAt') })),
    };
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async charge(idempotencyKey: string, on: Executor = this.db): Promise<GatewayChargeRow | undefined> {
    const [row] = await this.q.charge(on, { idempotencyKey });
    return row;
  }

  async capturedByReference(reference: string, on: Executor = this.db): Promise<GatewayChargeRow | undefined> {
    const [row] = await this.q.capturedByReference(on, { reference });
    return row;
  }

  /** Records a request: a new row, or the new outcome of a key that failed transiently before. */
  async saveCharge(tx: Tx, row: Omit<GatewayChargeRow, 'requests' | 'createdAt' | 'updatedAt'>): Promise<void> {
    const { idempotencyKey, token, amount, status, reference, reason } = row;
    const now = new Date().toISOString();
    await this.q.saveCharge(tx, { idempotencyKey, token, amount, status, reference, reason, now });
  }

  async countRequest(tx: Tx, idempotencyKey: string): Promise<void> {
    await this.q.countRequest(tx, { idempotencyKey });
  }

  async hasRefund(idempotencyKey: string, on: Executor = this.db): Promise<boolean> {
    const [row] = await this.q.hasRefund(on, { idempotencyKey });
    return row !== undefined;
  }

  async refundedSoFar(reference: string, on: Executor = this.db): Promise<number> {
    // sum() comes back as a string (PostgreSQL's numeric; drizzle maps SQLite's the same way), or null for no rows.
    const [row] = await this.q.refundedSoFar(on, { reference });
    return Number(row?.total ?? 0);
  }

  async saveRefund(tx: Tx, idempotencyKey: string, chargeReference: string, amount: number): Promise<void> {
    await this.q.saveRefund(tx, { idempotencyKey, chargeReference, amount, createdAt: new Date().toISOString() });
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
