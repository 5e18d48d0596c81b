import { and, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { param, prepared, preparedPerShape, setParam } from '../../../kernel/persistence/prepared.ts';
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
  /** The queries every order event runs, built once per connection (see `prepared`). */
  private readonly q;
  /** `move`'s update, one per set of columns and count of statuses it starts from. */
  private readonly moves = preparedPerShape<SagaRow[]>('order_saga_move');

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { sagas } = this.t;
    this.q = {
      find: prepared('order_saga_by_id', (d) => d.select().from(sagas).where(eq(sagas.orderId, param('orderId')))),
      start: prepared('order_saga_start', (d) =>
        d
          .insert(sagas)
          .values({ orderId: param('orderId'), order: param('order'), status: 'placed', stock: 'none', createdAt: param('now'), updatedAt: param('now') })
          // The conflicting row gets the same order and time the insert carried.
          .onConflictDoUpdate({ target: sagas.orderId, set: { order: sql`excluded."order"`, updatedAt: sql`excluded."updated_at"` }, setWhere: isNull(sagas.order) }),
      ),
      startCancelled: prepared('order_saga_start_cancelled', (d) =>
        d
          .insert(sagas)
          .values({ orderId: param('orderId'), status: 'placed', cancelRequested: param('reason'), stock: 'none', createdAt: param('now'), updatedAt: param('now') })
          .onConflictDoNothing(),
      ),
    };
  }

  /**
   * One transaction on the module's database: what is read inside stays true until it commits,
   * across replicas too (the engine runs the module's transactions one at a time).
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async find(orderId: string, on: Executor = this.db): Promise<SagaRow | undefined> {
    const [row] = await this.q.find(on, { orderId });
    return row;
  }

  /** Starts the saga of a placed order, or completes the row a cancellation made before it arrived. */
  async start(tx: Tx, order: PlacedOrder, now: string): Promise<void> {
    await this.q.start(tx, { orderId: order.orderId, order, now });
  }

  /** Remembers a cancellation of an order whose placement has not arrived yet. */
  async startCancelled(tx: Tx, orderId: string, reason: CancelReason, now: string): Promise<void> {
    await this.q.startCancelled(tx, { orderId, reason, now });
  }

  /** Applies changes if the order is still in one of `from`; the updated row, or undefined if it moved on. */
  async move(tx: Tx, orderId: string, from: OrderStatus[], changes: SagaChanges): Promise<SagaRow | undefined> {
    // Like drizzle's set(): undefined leaves the column alone, null clears it.
    const columns = MOVABLE.filter((name) => changes[name] !== undefined);
    if (columns.length === 0) throw new Error('No values to set');
    const { sagas } = this.t;
    const update = this.moves(`${columns.join(',')}/${from.length}`, (d) =>
      d
        .update(sagas)
        .set(Object.fromEntries(columns.map((name) => [name, setParam(name)])))
        .where(and(eq(sagas.orderId, param('orderId')), inArray(sagas.status, from.map((_, i) => param(`from${i}`)))))
        .returning(),
    );
    const values: Record<string, unknown> = { orderId };
    from.forEach((status, i) => (values[`from${i}`] = status));
    for (const name of columns) values[name] = changes[name];
    const [row] = await update(tx, values);
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
