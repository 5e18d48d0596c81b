import type { Tx } from '../../../kernel/persistence/sql.ts';
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
  constructor(private readonly store: WarehouseStore) {}

  /** Compares a product's row before and after a change and publishes what follows. */
  async changed(tx: Tx, before: StockRow, after: StockRow): Promise<void> {
    const previousAvailable = availableOf(before);
    const available = availableOf(after);
    if (available !== previousAvailable) {
      await tx.publish(warehouseContract.events.availability_changed, { productId: after.productId, available, previousAvailable }, { key: after.productId });
    }
    const below = available < after.lowStockThreshold;
    if (below === after.belowThreshold) return;
    await this.store.update(tx, after.productId, { belowThreshold: below });
    if (below) {
      await tx.publish(warehouseContract.events.low_stock, { productId: after.productId, available, threshold: after.lowStockThreshold }, { key: after.productId });
    }
  }

  /** The same for every product of an order, from rows read before the change. */
  async changedMany(tx: Tx, before: Map<string, StockRow>): Promise<void> {
    const after = await this.store.findMany([...before.keys()], tx);
    for (const [id, row] of before) await this.changed(tx, row, after.get(id)!);
  }
}
