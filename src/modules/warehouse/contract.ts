import { z } from 'zod';
import { call, defineContract, event, Id, Paging } from '../../kernel/contract.ts';

export const Stock = z.object({
  productId: Id,
  onHand: z.number().int().min(0),
  reserved: z.number().int().min(0),
  available: z.number().int(),
  lowStockThreshold: z.number().int().min(0),
});
export type Stock = z.infer<typeof Stock>;

export const StockLine = z.object({ productId: Id, quantity: z.number().int().min(1) });
const Shortage = z.object({ productId: Id, requested: z.number().int(), available: z.number().int() });
const OrderRef = z.strictObject({ orderId: Id });
/** The most units one stock figure may state: on hand, or received in one restock. */
const MAX_UNITS = 10_000_000;

/** Stock on hand and reservations per order. Reservations are atomic: no oversell, ever. */
export const warehouseContract = defineContract(
  'warehouse',
  {
    /** Stock of one product; not found if the warehouse has never heard of it. */
    getStock: call({ input: z.strictObject({ productId: Id }), output: Stock }),
    /** Stock of many products in one call (unknown ids left out). */
    getStockLevels: call({ input: z.strictObject({ productIds: z.array(Id).max(1000) }), output: z.object({ items: z.array(Stock) }) }),
    /** Sets on-hand (and optionally the threshold); unprocessable below what is reserved. */
    setStock: call({
      input: z.strictObject({ productId: Id, onHand: z.number().int().min(0).max(MAX_UNITS), lowStockThreshold: z.number().int().min(0).max(1_000_000).optional() }),
      output: Stock,
    }),
    /** Adds received units to on-hand. */
    restock: call({ input: z.strictObject({ productId: Id, quantity: z.number().int().min(1).max(MAX_UNITS) }), output: Stock }),
    /** Stock rows, optionally only those below their threshold. */
    listStock: call({
      input: z.strictObject({ lowStock: z.boolean().optional(), ...Paging }),
      output: z.object({ items: z.array(Stock), total: z.number().int() }),
    }),
    /**
     * Reserves every line of an order or none. Idempotent per order: asking again gives the first
     * answer. `cancelled`: the order's stock was released before this reserve arrived; nothing is held.
     */
    reserve: call({
      input: z.strictObject({ orderId: Id, lines: z.array(StockLine).min(1).max(200) }),
      output: z.object({ status: z.enum(['reserved', 'insufficient', 'cancelled']), shortages: z.array(Shortage) }),
    }),
    /** Gives an order's reserved units back (idempotent; nothing if already committed; never reserved: a later reserve holds nothing). */
    release: call({ input: OrderRef, output: z.object({ status: z.enum(['released', 'none']) }) }),
    /** Takes an order's reserved units off on-hand when it ships (idempotent). */
    commit: call({ input: OrderRef, output: z.object({ status: z.enum(['committed', 'none']) }) }),
  },
  {
    stock_reserved: event(1, z.object({ orderId: Id, lines: z.array(StockLine) })),
    reservation_failed: event(1, z.object({ orderId: Id, shortages: z.array(Shortage) })),
    stock_released: event(1, z.object({ orderId: Id, lines: z.array(StockLine) })),
    stock_committed: event(1, z.object({ orderId: Id, lines: z.array(StockLine) })),
    /** Units were added to on-hand. */
    restocked: event(1, z.object({ productId: Id, quantity: z.number().int(), available: z.number().int(), previousAvailable: z.number().int() })),
    /** Available units of a product changed (any cause): projections of "in stock" follow this. */
    availability_changed: event(1, z.object({ productId: Id, available: z.number().int(), previousAvailable: z.number().int() })),
    /** Available fell below the product's threshold (once per crossing). */
    low_stock: event(1, z.object({ productId: Id, available: z.number().int(), threshold: z.number().int() })),
  },
);
export type WarehouseContract = typeof warehouseContract;
