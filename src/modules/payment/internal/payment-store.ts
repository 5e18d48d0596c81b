import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { payments } from './schema.ts';
import { param as p } from '../../../kernel/persistence/statements.ts';

export type PaymentRow = typeof payments.$inferSelect;
type Status = PaymentRow['status'];

/** A value in SET: the placeholder bound as is. */
const v = (name: string) => sql`${p(name)}`;
/** A SET value taken only when `set<Name>` is bound to 1 (so a detail may also be set to null). */
const ifGiven = (name: string, column: (typeof payments)['gatewayReference' | 'declineReason']) =>
  sql`CASE WHEN ${p(`set:${name}`)} THEN ${p(name)} ELSE ${column} END`;

/** The only place that speaks SQL for the payment module's own records. Statements are prepared once, at start. */
export class PaymentStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const byId = eq(payments.id, p('id'));
    this.q = {
      byOrder: db.select().from(payments).where(eq(payments.orderId, p('orderId'))).prepare(),
      open: db.insert(payments).values({
        id: p('id'), orderId: p('orderId'), userId: p('userId'), amount: p('amount'), currency: p('currency'), status: p('status'),
        attempts: p('attempts'), gatewayReference: p('gatewayReference'), declineReason: p('declineReason'),
        createdAt: p('createdAt'), updatedAt: p('updatedAt'),
      }).onConflictDoNothing({ target: payments.orderId }).prepare(),
      countAttempt: db.update(payments).set({ attempts: sql`${payments.attempts} + 1`, updatedAt: v('updatedAt') }).where(byId).prepare(),
      move: db.update(payments).set({
        status: v('to'),
        gatewayReference: ifGiven('gatewayReference', payments.gatewayReference),
        declineReason: ifGiven('declineReason', payments.declineReason),
        updatedAt: v('updatedAt'),
      }).where(and(byId, eq(payments.status, p('from')))).prepare(),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  findByOrder(orderId: string): PaymentRow | undefined {
    return this.q.byOrder.get({ orderId });
  }

  /** The order's payment, created on first sight; concurrent first calls end up with the same row. */
  open(row: PaymentRow): PaymentRow {
    this.q.open.run(row);
    return this.findByOrder(row.orderId)!;
  }

  countAttempt(id: string): void {
    this.q.countAttempt.run({ id, updatedAt: new Date().toISOString() });
  }

  /** Moves a payment on only from the status expected; false if someone else moved it first. */
  move(id: string, from: Status, to: Status, details: Partial<Pick<PaymentRow, 'gatewayReference' | 'declineReason'>> = {}): boolean {
    const { gatewayReference, declineReason } = details;
    return this.q.move.run({
      id,
      from,
      to,
      // An absent (undefined) detail leaves the column as it is; null clears it.
      'set:gatewayReference': gatewayReference === undefined ? 0 : 1,
      gatewayReference: gatewayReference ?? null,
      'set:declineReason': declineReason === undefined ? 0 : 1,
      declineReason: declineReason ?? null,
      updatedAt: new Date().toISOString(),
    }).changes === 1;
  }
}
