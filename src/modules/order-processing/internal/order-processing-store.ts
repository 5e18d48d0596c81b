import { and, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import type { CancelReason, OrderStatus } from '../../order-taking/contract.ts';
import { sagas, type PlacedOrder } from './schema.ts';

export type SagaRow = typeof sagas.$inferSelect;
export type SagaChanges = Partial<Omit<SagaRow, 'orderId' | 'order' | 'createdAt'>>;

/** The statuses from which the saga still has work to do (or to undo). */
export const IN_FLIGHT: OrderStatus[] = ['placed', 'stock_reserved', 'paid'];

/** The only place that speaks SQL for the order-processing module. */
export class OrderProcessingStore {
  private readonly findSaga;

  constructor(private readonly db: Db) {
    this.findSaga = db.select().from(sagas).where(eq(sagas.orderId, sql.placeholder('orderId'))).prepare();
  }

  /** BEGIN IMMEDIATE: replicas sharing the file queue up instead of failing a read-then-write upgrade. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  find(orderId: string): SagaRow | undefined {
    return this.findSaga.get({ orderId });
  }

  /** Starts the saga of a placed order, or completes the row a cancellation made before it arrived. */
  start(order: PlacedOrder, now: string): void {
    this.db
      .insert(sagas)
      .values({ orderId: order.orderId, order, status: 'placed', stock: 'none', createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: sagas.orderId, set: { order, updatedAt: now }, setWhere: isNull(sagas.order) })
      .run();
  }

  /** Remembers a cancellation of an order whose placement has not arrived yet. */
  startCancelled(orderId: string, reason: CancelReason, now: string): void {
    this.db.insert(sagas).values({ orderId, status: 'placed', cancelRequested: reason, stock: 'none', createdAt: now, updatedAt: now }).onConflictDoNothing().run();
  }

  /** Applies changes if the order is still in one of `from`; the updated row, or undefined if it moved on. */
  move(orderId: string, from: OrderStatus[], changes: SagaChanges): SagaRow | undefined {
    return this.db.update(sagas).set(changes).where(and(eq(sagas.orderId, orderId), inArray(sagas.status, from))).returning().get();
  }

  /** Sagas a restart must pick up: steps left to run, or a cancellation whose compensations did not finish. */
  unfinished(): SagaRow[] {
    return this.db
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
      )
      .all();
  }
}
