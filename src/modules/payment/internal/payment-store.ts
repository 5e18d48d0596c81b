import { and, eq, sql } from 'drizzle-orm';
import { param, prepared, preparedPerShape, setParam } from '../../../kernel/persistence/prepared.ts';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type PaymentRow = typeof schemas.postgres.payments.$inferSelect;
type Status = PaymentRow['status'];

/**
 * The only place that speaks SQL for the payment module's own records, the same on both engines.
 * The queries of every charge are prepared (kernel prepared.ts): built once per connection, then
 * only run; `move`, whose shape follows the details given, once per shape.
 */
export class PaymentStore {
  private readonly t;
  private readonly q;
  /** `move`'s update, one per set of details it records. */
  private readonly moves = preparedPerShape<Array<{ id: string }>>('payment_move');

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { payments, voidedOrders } = this.t;
    this.q = {
      isVoided: prepared('payment_order_voided', (d) => d.select({ orderId: voidedOrders.orderId }).from(voidedOrders).where(eq(voidedOrders.orderId, param('orderId')))),
      void: prepared('payment_void_order', (d) => d.insert(voidedOrders).values({ orderId: param('orderId'), voidedAt: param('now') }).onConflictDoNothing()),
      byOrder: prepared('payment_by_order', (d) => d.select().from(payments).where(eq(payments.orderId, param('orderId')))),
      open: prepared('payment_open', (d) =>
        d
          .insert(payments)
          .values({
            id: param('id'),
            orderId: param('orderId'),
            userId: param('userId'),
            amount: param('amount'),
            currency: param('currency'),
            status: param('status'),
            attempts: param('attempts'),
            gatewayReference: param('gatewayReference'),
            declineReason: param('declineReason'),
            createdAt: param('createdAt'),
            updatedAt: param('updatedAt'),
          })
          .onConflictDoNothing({ target: payments.orderId })),
      countAttempt: prepared('payment_count_attempt', (d) =>
        d.update(payments).set({ attempts: sql`${payments.attempts} + 1`, updatedAt: setParam('updatedAt') }).where(eq(payments.id, param('id')))),
    };
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async findByOrder(orderId: string, on: Executor = this.db): Promise<PaymentRow | undefined> {
    const [row] = await this.q.byOrder(on, { orderId });
    return row;
  }

  /**
   * The order's payment, created on first sight; concurrent first calls end up with the same row.
   * While it is unsettled (`authorized`) and is the charge asked for (same amount, same user), the
   * gateway request about to be made is counted in the same transaction (`attempts`), so a first
   * attempt costs no transaction of its own; a call the service will refuse counts nothing.
   * Undefined when the order was voided (its refund came first): nothing may be charged.
   */
  openForAttempt(row: PaymentRow): Promise<PaymentRow | undefined> {
    const { id, orderId, userId, amount, currency, status, attempts, gatewayReference, declineReason, createdAt, updatedAt } = row;
    return this.db.transaction(async (tx) => {
      if ((await this.q.isVoided(tx, { orderId })).length > 0) return undefined;
      await this.q.open(tx, { id, orderId, userId, amount, currency, status, attempts, gatewayReference, declineReason, createdAt, updatedAt });
      const found = (await this.findByOrder(row.orderId, tx))!;
      if (found.status !== 'authorized' || found.amount !== amount || found.userId !== userId) return found;
      const at = new Date().toISOString();
      await this.q.countAttempt(tx, { id: found.id, updatedAt: at });
      return { ...found, attempts: found.attempts + 1, updatedAt: at };
    });
  }

  /** Marks an order that has no payment as voided: a charge arriving later is refused (see schema.ts). */
  async voidOrder(tx: Tx, orderId: string): Promise<void> {
    await this.q.void(tx, { orderId, now: new Date().toISOString() });
  }

  async countAttempt(id: string): Promise<void> {
    await this.db.transaction((tx) => this.q.countAttempt(tx, { id, updatedAt: new Date().toISOString() }));
  }

  /** Moves a payment on only from the status expected; false if someone else moved it first. */
  async move(tx: Tx, id: string, from: Status, to: Status, details: Partial<Pick<PaymentRow, 'gatewayReference' | 'declineReason'>> = {}): Promise<boolean> {
    const { payments } = this.t;
    // An absent (undefined) detail leaves the column as it is; null clears it.
    const given = DETAILS.filter((name) => details[name] !== undefined);
    const update = this.moves(given.join(',') || '-', (d) =>
      d
        .update(payments)
        .set({ status: setParam('to'), updatedAt: setParam('updatedAt'), ...Object.fromEntries(given.map((name) => [name, setParam(name)])) })
        .where(and(eq(payments.id, param('id')), eq(payments.status, param('from'))))
        .returning({ id: payments.id }),
    );
    const moved = await update(tx, { id, from, to, updatedAt: new Date().toISOString(), ...Object.fromEntries(given.map((name) => [name, details[name]])) });
    return moved.length === 1;
  }
}

/** The details `move` may record beside the status. */
const DETAILS = ['gatewayReference', 'declineReason'] as const;
