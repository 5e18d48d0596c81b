import type { z } from 'zod';
import type { Implementation } from '../../../kernel/contract.ts';
import { notFound, unprocessable } from '../../../kernel/errors.ts';
import type { Tx } from '../../../kernel/persistence/sql.ts';
import { warehouseContract, type WarehouseContract } from '../contract.ts';
import { availableOf, toStock, type StockNotices } from './stock-notices.ts';
import type { Line, ReservationRow, StockRow, WarehouseStore } from './warehouse-store.ts';

type Shortage = z.output<WarehouseContract['methods']['reserve']['output']>['shortages'][number];

/**
 * The warehouse's use cases; each public method is one call of its contract. Every change reads,
 * checks and writes in one transaction (reads through its `tx`), so no other change comes between.
 */
export class WarehouseService implements Implementation<WarehouseContract> {
  constructor(
    private readonly store: WarehouseStore,
    private readonly notices: StockNotices,
  ) {}

  async getStock({ productId }: { productId: string }) {
    const row = await this.store.find(productId);
    if (!row) throw notFound('Stock of this product');
    return toStock(row);
  }

  async getStockLevels({ productIds }: { productIds: string[] }) {
    return { items: [...(await this.store.findMany([...new Set(productIds)])).values()].map(toStock) };
  }

  setStock({ productId, onHand, lowStockThreshold }: { productId: string; onHand: number; lowStockThreshold?: number }) {
    return this.store.transaction(async (tx) => {
      const before = await this.existing(tx, productId);
      if (onHand < before.reserved) throw unprocessable(`${before.reserved} units are reserved for orders: on-hand cannot go below that`);
      await this.store.update(tx, productId, { onHand, lowStockThreshold: lowStockThreshold ?? before.lowStockThreshold });
      return this.afterChange(tx, before);
    });
  }

  restock({ productId, quantity }: { productId: string; quantity: number }) {
    return this.store.transaction(async (tx) => {
      const before = await this.existing(tx, productId);
      await this.store.addOnHand(tx, productId, quantity);
      const after = await this.afterChange(tx, before);
      await tx.publish(warehouseContract.events.restocked, { productId, quantity, available: after.available, previousAvailable: availableOf(before) }, { key: productId });
      return after;
    });
  }

  async listStock({ lowStock, limit, offset }: { lowStock?: boolean; limit: number; offset: number }) {
    const { rows, total } = await this.store.list(lowStock ?? false, limit, offset);
    return { items: rows.map(toStock), total };
  }

  reserve({ orderId, lines }: { orderId: string; lines: Line[] }) {
    const wanted = mergeLines(lines);
    return this.store.transaction(async (tx) => {
      const first = await this.store.reservation(orderId, tx);
      if (first) return answerOf(first);
      const before = await this.store.findMany(wanted.map((l) => l.productId), tx);
      const now = new Date().toISOString();
      if (!(await this.store.holdAll(tx, wanted))) {
        const shortages = shortagesOf(wanted, before);
        await this.store.recordReservation(tx, { orderId, status: 'insufficient', shortages: JSON.stringify(shortages), createdAt: now, updatedAt: now }, []);
        await tx.publish(warehouseContract.events.reservation_failed, { orderId, shortages }, { key: orderId });
        return { status: 'insufficient' as const, shortages };
      }
      await this.store.recordReservation(tx, { orderId, status: 'reserved', shortages: null, createdAt: now, updatedAt: now }, wanted);
      await tx.publish(warehouseContract.events.stock_reserved, { orderId, lines: wanted }, { key: orderId });
      await this.notices.changedMany(tx, before);
      return { status: 'reserved' as const, shortages: [] };
    });
  }

  /**
   * A release that finds no reservation leaves a `cancelled` one behind: the reserve it overtook
   * (still on its way from another replica of order-processing, whose answer may never be read)
   * then holds nothing, instead of holding units for a cancelled order forever.
   */
  release({ orderId }: { orderId: string }) {
    return this.store.transaction(async (tx) => {
      const reservation = await this.store.reservation(orderId, tx);
      if (reservation?.status === 'released') return { status: 'released' as const };
      if (!reservation) {
        const now = new Date().toISOString();
        await this.store.recordReservation(tx, { orderId, status: 'cancelled', shortages: null, createdAt: now, updatedAt: now }, []);
      }
      if (reservation?.status !== 'reserved') return { status: 'none' as const };
      const lines = await this.store.reservationLines(orderId, tx);
      const before = await this.store.findMany(lines.map((l) => l.productId), tx);
      await this.store.unholdAll(tx, lines);
      await this.store.setReservationStatus(tx, orderId, 'released');
      await tx.publish(warehouseContract.events.stock_released, { orderId, lines }, { key: orderId });
      await this.notices.changedMany(tx, before);
      return { status: 'released' as const };
    });
  }

  commit({ orderId }: { orderId: string }) {
    return this.store.transaction(async (tx) => {
      const reservation = await this.store.reservation(orderId, tx);
      if (reservation?.status === 'committed') return { status: 'committed' as const };
      if (reservation?.status !== 'reserved') return { status: 'none' as const };
      // Held units leave on-hand and reserved together: available does not move.
      const lines = await this.store.reservationLines(orderId, tx);
      await this.store.shipAll(tx, lines);
      await this.store.setReservationStatus(tx, orderId, 'committed');
      await tx.publish(warehouseContract.events.stock_committed, { orderId, lines }, { key: orderId });
      return { status: 'committed' as const };
    });
  }

  private async existing(tx: Tx, productId: string) {
    const row = await this.store.find(productId, tx);
    if (!row) throw notFound('Stock of this product');
    return row;
  }

  private async afterChange(tx: Tx, before: StockRow) {
    const after = await this.existing(tx, before.productId);
    await this.notices.changed(tx, before, after);
    return toStock(after);
  }
}

/** The first answer given for an order, whatever happened to the reservation since. */
function answerOf(reservation: ReservationRow) {
  if (reservation.status === 'cancelled') return { status: 'cancelled' as const, shortages: [] };
  if (reservation.status === 'insufficient') return { status: 'insufficient' as const, shortages: JSON.parse(reservation.shortages ?? '[]') as Shortage[] };
  return { status: 'reserved' as const, shortages: [] };
}

/** The lines that do not fit; a product the warehouse never heard of has nothing available. */
function shortagesOf(lines: Line[], stock: Map<string, StockRow>): Shortage[] {
  return lines
    .map((l) => {
      const row = stock.get(l.productId);
      return { productId: l.productId, requested: l.quantity, available: row ? availableOf(row) : 0 };
    })
    .filter((s) => s.available < s.requested);
}

/** One line per product: an order listing a product twice needs the sum. */
function mergeLines(lines: Line[]): Line[] {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.productId, (merged.get(l.productId) ?? 0) + l.quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
}
