import type { z } from 'zod';
import type { Implementation } from '../../../kernel/contract.ts';
import { notFound, unprocessable } from '../../../kernel/errors.ts';
import type { Outbox } from '../../../kernel/events/outbox.ts';
import { warehouseContract, type WarehouseContract } from '../contract.ts';
import { availableOf, toStock, type StockNotices } from './stock-notices.ts';
import type { Line, ReservationRow, StockRow, WarehouseStore } from './warehouse-store.ts';

type Shortage = z.output<WarehouseContract['methods']['reserve']['output']>['shortages'][number];

/** The warehouse's use cases; each public method is one call of its contract. */
export class WarehouseService implements Implementation<WarehouseContract> {
  constructor(
    private readonly store: WarehouseStore,
    private readonly notices: StockNotices,
    private readonly outbox: Outbox,
  ) {}

  getStock({ productId }: { productId: string }) {
    const row = this.store.find(productId);
    if (!row) throw notFound('Stock of this product');
    return toStock(row);
  }

  getStockLevels({ productIds }: { productIds: string[] }) {
    return { items: [...this.store.findMany([...new Set(productIds)]).values()].map(toStock) };
  }

  setStock({ productId, onHand, lowStockThreshold }: { productId: string; onHand: number; lowStockThreshold?: number }) {
    return this.store.transaction(() => {
      const before = this.existing(productId);
      if (onHand < before.reserved) throw unprocessable(`${before.reserved} units are reserved for orders: on-hand cannot go below that`);
      this.store.update(productId, { onHand, lowStockThreshold: lowStockThreshold ?? before.lowStockThreshold });
      return this.afterChange(before);
    });
  }

  restock({ productId, quantity }: { productId: string; quantity: number }) {
    return this.store.transaction(() => {
      const before = this.existing(productId);
      this.store.addOnHand(productId, quantity);
      const after = this.afterChange(before);
      this.outbox.publish(warehouseContract.events.restocked, { productId, quantity, available: after.available, previousAvailable: availableOf(before) }, { key: productId });
      return after;
    });
  }

  listStock({ lowStock, limit, offset }: { lowStock?: boolean; limit: number; offset: number }) {
    const { rows, total } = this.store.list(lowStock ?? false, limit, offset);
    return { items: rows.map(toStock), total };
  }

  reserve({ orderId, lines }: { orderId: string; lines: Line[] }) {
    const wanted = mergeLines(lines);
    return this.store.transaction(() => {
      const first = this.store.reservation(orderId);
      if (first) return answerOf(first);
      const before = this.store.findMany(wanted.map((l) => l.productId));
      const now = new Date().toISOString();
      if (!this.store.holdAll(wanted)) {
        const shortages = shortagesOf(wanted, before);
        this.store.recordReservation({ orderId, status: 'insufficient', shortages: JSON.stringify(shortages), createdAt: now, updatedAt: now }, []);
        this.outbox.publish(warehouseContract.events.reservation_failed, { orderId, shortages }, { key: orderId });
        return { status: 'insufficient' as const, shortages };
      }
      this.store.recordReservation({ orderId, status: 'reserved', shortages: null, createdAt: now, updatedAt: now }, wanted);
      this.outbox.publish(warehouseContract.events.stock_reserved, { orderId, lines: wanted }, { key: orderId });
      this.notices.changedMany(before);
      return { status: 'reserved' as const, shortages: [] };
    });
  }

  release({ orderId }: { orderId: string }) {
    return this.store.transaction(() => {
      const reservation = this.store.reservation(orderId);
      if (reservation?.status === 'released') return { status: 'released' as const };
      if (reservation?.status !== 'reserved') return { status: 'none' as const };
      const lines = this.store.reservationLines(orderId);
      const before = this.store.findMany(lines.map((l) => l.productId));
      this.store.unholdAll(lines);
      this.store.setReservationStatus(orderId, 'released');
      this.outbox.publish(warehouseContract.events.stock_released, { orderId, lines }, { key: orderId });
      this.notices.changedMany(before);
      return { status: 'released' as const };
    });
  }

  commit({ orderId }: { orderId: string }) {
    return this.store.transaction(() => {
      const reservation = this.store.reservation(orderId);
      if (reservation?.status === 'committed') return { status: 'committed' as const };
      if (reservation?.status !== 'reserved') return { status: 'none' as const };
      // Held units leave on-hand and reserved together: available does not move.
      const lines = this.store.reservationLines(orderId);
      this.store.shipAll(lines);
      this.store.setReservationStatus(orderId, 'committed');
      this.outbox.publish(warehouseContract.events.stock_committed, { orderId, lines }, { key: orderId });
      return { status: 'committed' as const };
    });
  }

  private existing(productId: string) {
    const row = this.store.find(productId);
    if (!row) throw notFound('Stock of this product');
    return row;
  }

  private afterChange(before: StockRow) {
    const after = this.existing(before.productId);
    this.notices.changed(before, after);
    return toStock(after);
  }
}

/** The first answer given for an order, whatever happened to the reservation since. */
function answerOf(reservation: ReservationRow) {
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
