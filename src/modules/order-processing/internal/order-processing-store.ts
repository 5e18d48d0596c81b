import { and, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../kernel/persistence/database.ts';
import type { CancelReason, OrderStatus } from '../contract.ts';
import { sagas, type PlacedOrder } from './schema.ts';
import { param as p, inJsonArray } from '../../../kernel/persistence/statements.ts';

export type SagaRow = typeof sagas.$inferSelect;
export type SagaChanges = Partial<Omit<SagaRow, 'orderId' | 'order' | 'createdAt'>>;

/** The statuses from which the saga still has work to do (or to undo). */
export const IN_FLIGHT: OrderStatus[] = ['placed', 'stock_reserved', 'paid'];

/** The columns `move` may change: each is set only when its `set_<name>` flag is 1, so one statement serves any subset. */
const MOVABLE = ['status', 'cancelReason', 'cancelRequested', 'stock', 'payment', 'trackingNumber', 'shipmentStatus', 'updatedAt'] as const satisfies readonly (keyof SagaChanges)[];
type Movable = (typeof MOVABLE)[number];
const setIfFlagged = (column: SQLiteColumn, name: Movable): SQL => sql`CASE WHEN ${p(`set_${name}`)} THEN ${p(name)} ELSE ${column} END`;

/** The only place that speaks SQL for the order-processing module. Statements are prepared once, at start. */
export class OrderProcessingStore {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      find: db.select().from(sagas).where(eq(sagas.orderId, p('orderId'))).prepare(),
      start: db
        .insert(sagas)
        .values({ orderId: p('orderId'), order: p('order'), status: 'placed', stock: 'none', createdAt: p('now'), updatedAt: p('now') })
        // The conflicting row gets the same order and time the insert carried.
        .onConflictDoUpdate({ target: sagas.orderId, set: { order: sql`excluded."order"`, updatedAt: sql`excluded."updated_at"` }, setWhere: isNull(sagas.order) })
        .prepare(),
      startCancelled: db
        .insert(sagas)
        .values({ orderId: p('orderId'), status: 'placed', cancelRequested: p('reason'), stock: 'none', createdAt: p('now'), updatedAt: p('now') })
        .onConflictDoNothing()
        .prepare(),
      move: db
        .update(sagas)
        .set(Object.fromEntries(MOVABLE.map((name) => [name, setIfFlagged(sagas[name], name)])) as Record<Movable, SQL>)
        // Any number of `from` statuses travel as one JSON array.
        .where(and(eq(sagas.orderId, p('orderId')), inJsonArray(sagas.status, 'from')))
        .returning()
        .prepare(),
      unfinished: db
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
        .prepare(),
    };
  }

  /** BEGIN IMMEDIATE: replicas sharing the file queue up instead of failing a read-then-write upgrade. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  find(orderId: string): SagaRow | undefined {
    return this.q.find.get({ orderId });
  }

  /** Starts the saga of a placed order, or completes the row a cancellation made before it arrived. */
  start(order: PlacedOrder, now: string): void {
    this.q.start.run({ orderId: order.orderId, order, now });
  }

  /** Remembers a cancellation of an order whose placement has not arrived yet. */
  startCancelled(orderId: string, reason: CancelReason, now: string): void {
    this.q.startCancelled.run({ orderId, reason, now });
  }

  /** Applies changes if the order is still in one of `from`; the updated row, or undefined if it moved on. */
  move(orderId: string, from: OrderStatus[], changes: SagaChanges): SagaRow | undefined {
    const params: Record<string, unknown> = { orderId, from: JSON.stringify(from) };
    let any = false;
    for (const name of MOVABLE) {
      // Like drizzle's set(): undefined leaves the column alone, null clears it.
      const value = changes[name];
      const set = value !== undefined;
      any ||= set;
      params[`set_${name}`] = set ? 1 : 0;
      params[name] = set ? value : null;
    }
    if (!any) throw new Error('No values to set');
    return this.q.move.get(params);
  }

  /** Sagas a restart must pick up: steps left to run, or a cancellation whose compensations did not finish. */
  unfinished(): SagaRow[] {
    return this.q.unfinished.all();
  }
}
