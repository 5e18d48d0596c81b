import type { Outbox } from '../../../kernel/events/outbox.ts';
import { warehouseContract, type Stock } from '../contract.ts';
import type { StockRow, WarehouseStore } from './warehouse-store.ts';

export const availableOf = (row: StockRow): number => row.onHand - row.reserved;

export function toStock(row: StockRow): Stock {
  return { productId: row.productId, onHand: row.onHand, reserved: row.reserved, available: availableOf(row), lowStockThreshold: row.lowStockThreshold };
}

/**
 * Tells the shop what a stock change means: the new availability (search, wishlists follow it)
 * and, once per dip below the threshold, a low-stock alert. Call inside the change's transaction.
 */
export class StockNotices {
  constructor(
    private readonly store: WarehouseStore,
    private readonly outbox: Outbox,
  ) {}

  /** Compares a product's row before and after a change and publishes what follows. */
  changed(before: StockRow, after: StockRow): void {
    const previousAvailable = availableOf(before);
    const available = availableOf(after);
    if (available !== previousAvailable) {
      this.outbox.publish(warehouseContract.events.availability_changed, { productId: after.productId, available, previousAvailable }, { key: after.productId });
    }
    const below = available < after.lowStockThreshold;
    if (below === after.belowThreshold) return;
    this.store.update(after.productId, { belowThreshold: below });
    if (below) {
      this.outbox.publish(warehouseContract.events.low_stock, { productId: after.productId, available, threshold: after.lowStockThreshold }, { key: after.productId });
    }
  }

  /** The same for every product of an order, from rows read before the change. */
  changedMany(before: Map<string, StockRow>): void {
    const after = this.store.findMany([...before.keys()]);
    for (const [id, row] of before) this.changed(row, after.get(id)!);
  }
}
