import { and, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import type { CancelReason, OrderStatus } from '../contract.ts';
import type { PlacedOrder } from './schema.ts';
import { schemas } from './tables.ts';

export type SagaRow = typeof schemas.postgres.sagas.$inferSelect;
export type SagaChanges = Partial<Omit<SagaRow, 'orderId' | 'order' | 'createdAt'>>;

/** The statuses from which the saga still has work to do (or to undo). */
export const IN_FLIGHT: OrderStatus[] = ['placed', 'stock_reserved', 'paid'];

/** The columns `move` may change. */
const MOVABLE = ['status', 'cancelReason', 'cancelRequested', 'stock', 'payment', 'trackingNumber', 'shipmentStatus', 'updatedAt'] as const satisfies readonly (keyof SagaChanges)[];

/** The only place that speaks SQL for the order-processing module, the same on both engines. */
export class OrderProcessingStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  /**
   * One transaction on the module's database: what is read inside stays true until it commits,
   * across replicas too (the engine runs the module's transactions one at a time).
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async find(orderId: string, on: Executor = this.db): Promise<SagaRow | undefined> {
    const { sagas } = this.t;
    const [row] = await on.sql.select().from(sagas).where(eq(sagas.orderId, orderId)).limit(1);
    return row;
  }

  /** Starts the saga of a placed order, or completes the row a cancellation made before it arrived. */
  async start(tx: Tx, order: PlacedOrder, now: string): Promise<void> {
    const { sagas } = this.t;
    await tx.sql
      .insert(sagas)
      .values({ orderId: order.orderId, order, status: 'placed', stock: 'none', createdAt: now, updatedAt: now })
      // The conflicting row gets the same order and time the insert carried.
      .onConflictDoUpdate({ target: sagas.orderId, set: { order: sql`excluded."order"`, updatedAt: sql`excluded."updated_at"` }, setWhere: isNull(sagas.order) });
  }

  /** Remembers a cancellation of an order whose placement has not arrived yet. */
  async startCancelled(tx: Tx, orderId: string, reason: CancelReason, now: string): Promise<void> {
    const { sagas } = this.t;
    await tx.sql.insert(sagas).values({ orderId, status: 'placed', cancelRequested: reason, stock: 'none', createdAt: now, updatedAt: now }).onConflictDoNothing();
  }

  /** Applies changes if the order is still in one of `from`; the updated row, or undefined if it moved on. */
  async move(tx: Tx, orderId: string, from: OrderStatus[], changes: SagaChanges): Promise<SagaRow | undefined> {
    const { sagas } = this.t;
    // Like drizzle's set(): undefined leaves the column alone, null clears it.
    const set: SagaChanges = {};
    for (const name of MOVABLE) if (changes[name] !== undefined) Object.assign(set, { [name]: changes[name] });
    if (Object.keys(set).length === 0) throw new Error('No values to set');
    const [row] = await tx.sql.update(sagas).set(set).where(and(eq(sagas.orderId, orderId), inArray(sagas.status, from))).returning();
    return row;
  }

  /** Sagas a restart must pick up: steps left to run, or a cancellation whose compensations did not finish. */
  unfinished(on: Executor = this.db): Promise<SagaRow[]> {
    const { sagas } = this.t;
    return on.sql
      .select()
      .from(sagas)
      .where(
        and(
          isNotNull(sagas.order),
          or(
            inArray(sagas.status, ['placed', 'stock_reserved']),
            and(eq(sagas.status, 'paid'), isNull(sagas.trackingNumber)),
            and(inArray(sagas.status, IN_FLIGHT), isNotNull(sagas.cancelRequested)),
          ),
        ),
      );
  }
}
