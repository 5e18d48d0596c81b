import type { Order } from '../contract.ts';
import type { HistoryRow, OrderRow } from './order-taking-store.ts';

/** An order as its customer sees it in lists. */
export function toSummary(row: OrderRow) {
  return {
    id: row.id,
    status: row.status,
    ...(row.cancelReason ? { cancelReason: row.cancelReason } : {}),
    items: row.items,
    subtotal: row.subtotal,
    shippingCost: row.shippingCost,
    total: row.total,
    currency: 'USD' as const,
    createdAt: row.createdAt,
  };
}

/** An order with its history and where its payment and shipment stand. */
export function toOrder(row: OrderRow, history: HistoryRow[]): Order {
  return {
    ...toSummary(row),
    shippingMethod: row.shippingMethod,
    history: history.map(({ status, at }) => ({ status, at })),
    ...(row.paymentStatus ? { payment: { status: row.paymentStatus } } : {}),
    ...(row.trackingNumber ? { shipment: { trackingNumber: row.trackingNumber, status: row.shipmentStatus ?? 'created' } } : {}),
  };
}
