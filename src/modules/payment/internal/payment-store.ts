import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { payments } from './schema.ts';

export type PaymentRow = typeof payments.$inferSelect;
type Status = PaymentRow['status'];

/** The only place that speaks SQL for the payment module's own records. */
export class PaymentStore {
  private readonly byOrder;

  constructor(private readonly db: Db) {
    this.byOrder = db.select().from(payments).where(eq(payments.orderId, sql.placeholder('orderId'))).prepare();
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  findByOrder(orderId: string): PaymentRow | undefined {
    return this.byOrder.get({ orderId });
  }

  /** The order's payment, created on first sight; concurrent first calls end up with the same row. */
  open(row: PaymentRow): PaymentRow {
    this.db.insert(payments).values(row).onConflictDoNothing({ target: payments.orderId }).run();
    return this.findByOrder(row.orderId)!;
  }

  countAttempt(id: string): void {
    this.db.update(payments).set({ attempts: sql`${payments.attempts} + 1`, updatedAt: new Date().toISOString() }).where(eq(payments.id, id)).run();
  }

  /** Moves a payment on only from the status expected; false if someone else moved it first. */
  move(id: string, from: Status, to: Status, details: Partial<Pick<PaymentRow, 'gatewayReference' | 'declineReason'>> = {}): boolean {
    return this.db
      .update(payments)
      .set({ status: to, ...details, updatedAt: new Date().toISOString() })
      .where(and(eq(payments.id, id), eq(payments.status, from)))
      .run().changes === 1;
  }
}
