import type { Tx } from '../../../kernel/persistence/sql.ts';
import type { RecommendationStore } from './recommendation-store.ts';

/**
 * Counts a paid order into popularity, "bought together" pairs and the buyer's purchases.
 * Its lines (order.placed) and its payment (order.status_changed) come from two modules and may
 * arrive in either order: each handler records its half and calls this, so the second one
 * counts, and the order's `counted` flag makes any further call a no-op.
 */
export class PurchaseCounter {
  constructor(private readonly store: RecommendationStore) {}

  /** Call inside the handler's transaction (`tx`), after recording what the event said. */
  async countWhenComplete(tx: Tx, orderId: string): Promise<void> {
    const order = await this.store.order(tx, orderId);
    if (!order || !order.paid || !order.linesKnown || order.counted) return;
    await this.store.countPurchase(tx, order, await this.store.orderLines(tx, orderId));
  }
}
