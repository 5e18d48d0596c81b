import { and, eq, sql } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type PaymentRow = typeof schemas.postgres.payments.$inferSelect;
type Status = PaymentRow['status'];

/** The only place that speaks SQL for the payment module's own records, the same on both engines. */
export class PaymentStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async findByOrder(orderId: string, on: Executor = this.db): Promise<PaymentRow | undefined> {
    const { payments } = this.t;
    const [row] = await on.sql.select().from(payments).where(eq(payments.orderId, orderId)).limit(1);
    return row;
  }

  /** The order's payment, created on first sight; concurrent first calls end up with the same row. */
  open(row: PaymentRow): Promise<PaymentRow> {
    const { payments } = this.t;
    return this.db.transaction(async (tx) => {
      await tx.sql.insert(payments).values(row).onConflictDoNothing({ target: payments.orderId });
      return (await this.findByOrder(row.orderId, tx))!;
    });
  }

  async countAttempt(id: string): Promise<void> {
    const { payments } = this.t;
    await this.db.transaction((tx) =>
      tx.sql.update(payments).set({ attempts: sql`${payments.attempts} + 1`, updatedAt: new Date().toISOString() }).where(eq(payments.id, id)),
    );
  }

  /** Moves a payment on only from the status expected; false if someone else moved it first. */
  async move(tx: Tx, id: string, from: Status, to: Status, details: Partial<Pick<PaymentRow, 'gatewayReference' | 'declineReason'>> = {}): Promise<boolean> {
    const { payments } = this.t;
    const { gatewayReference, declineReason } = details;
    const moved = await tx.sql
      .update(payments)
      // An absent (undefined) detail leaves the column as it is; null clears it.
      .set({ status: to, gatewayReference, declineReason, updatedAt: new Date().toISOString() })
      .where(and(eq(payments.id, id), eq(payments.status, from)))
      .returning({ id: payments.id });
    return moved.length === 1;
  }
}
