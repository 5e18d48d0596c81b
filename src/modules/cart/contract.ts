import { z } from 'zod';
import { call, Cents, defineContract, Id } from '../../kernel/contract.ts';

/**
 * A line total or subtotal as the cart shows it: a plain integer, not `Cents`, because a reprice
 * after the units were added may take it past MAX_AMOUNT, and the cart must still read.
 */
const CartAmount = z.number().int().min(0);

/** The most units of one product a cart line holds. */
export const MAX_UNITS = 99;
/** Units of one product on a cart line. */
export const CartQuantity = z.number().int().min(1).max(MAX_UNITS);

export const CartLine = z.object({
  productId: Id,
  name: z.string(),
  unitPrice: Cents,
  quantity: CartQuantity,
  lineTotal: CartAmount,
  /** False when the product was archived after it was added: it cannot be bought. */
  available: z.boolean(),
  weightGrams: z.number().int().min(0),
});
export const Cart = z.object({
  items: z.array(CartLine),
  subtotal: CartAmount,
  currency: z.literal('USD'),
  /**
   * False when the subtotal is over MAX_AMOUNT (a reprice after the units were added): the cart
   * still reads, but checkout refuses it until units are taken out. Absent (an answer from a
   * version that predates it) reads as true.
   */
  withinLimits: z.boolean().default(true),
});
export type Cart = z.infer<typeof Cart>;

/** Each customer's cart, always at current catalog prices. */
export const cartContract = defineContract(
  'cart',
  {
    /** The cart at current prices (one batched catalog call per read). */
    getCart: call({ input: z.strictObject({ userId: Id }), output: Cart }),
    /**
     * Adds units to a line (creating it); not found for unknown/archived products; unprocessable
     * above MAX_UNITS units, or when the line total or the subtotal would pass MAX_AMOUNT (nothing changes).
     */
    addItem: call({ input: z.strictObject({ userId: Id, productId: Id, quantity: CartQuantity }), output: Cart }),
    /**
     * Sets a line's quantity; 0 removes it. Not found if the line is not in the cart; unprocessable
     * when more units would take the line total or the subtotal past MAX_AMOUNT (fewer are always fine).
     */
    setQuantity: call({ input: z.strictObject({ userId: Id, productId: Id, quantity: z.number().int().min(0).max(MAX_UNITS) }), output: Cart }),
    /** Removes a line (not found if absent). */
    removeItem: call({ input: z.strictObject({ userId: Id, productId: Id }), output: Cart }),
    /** Empties the cart. */
    clear: call({ input: z.strictObject({ userId: Id }), output: z.object({}) }),
    /**
     * Moves every line of `from`'s cart (a guest's, say) into `into`'s and answers `into`'s cart;
     * `from` is left empty, all in one transaction, and a repeat changes nothing. Units add up on
     * a line already there, as far as MAX_UNITS and the money limit allow; what does not fit, and
     * lines of archived products, are dropped. A cart cannot be merged into itself (validation).
     */
    mergeCart: call({
      input: z
        .strictObject({ fromUserId: Id, intoUserId: Id })
        .refine((i) => i.fromUserId !== i.intoUserId, { path: ['intoUserId'], message: 'a cart cannot be merged into itself' }),
      output: Cart,
    }),
  },
  {},
);
export type CartContract = typeof cartContract;
