import { z } from 'zod';
import { call, Cents, defineContract, Id } from '../../kernel/contract.ts';

export const CartLine = z.object({
  productId: Id,
  name: z.string(),
  unitPrice: Cents,
  quantity: z.number().int().min(1).max(99),
  lineTotal: Cents,
  /** False when the product was archived after it was added: it cannot be bought. */
  available: z.boolean(),
  weightGrams: z.number().int().min(0),
});
export const Cart = z.object({ items: z.array(CartLine), subtotal: Cents, currency: z.literal('USD') });
export type Cart = z.infer<typeof Cart>;

const Quantity = z.number().int().min(1).max(99);

/** Each customer's cart, always at current catalog prices. */
export const cartContract = defineContract(
  'cart',
  {
    /** The cart at current prices (one batched catalog call per read). */
    getCart: call({ input: z.strictObject({ userId: Id }), output: Cart }),
    /** Adds units to a line (creating it); not found for unknown/archived products, unprocessable above 99. */
    addItem: call({ input: z.strictObject({ userId: Id, productId: Id, quantity: Quantity }), output: Cart }),
    /** Sets a line's quantity; 0 removes it. Not found if the line is not in the cart. */
    setQuantity: call({ input: z.strictObject({ userId: Id, productId: Id, quantity: z.number().int().min(0).max(99) }), output: Cart }),
    /** Removes a line (not found if absent). */
    removeItem: call({ input: z.strictObject({ userId: Id, productId: Id }), output: Cart }),
    /** Empties the cart. */
    clear: call({ input: z.strictObject({ userId: Id }), output: z.object({}) }),
  },
  {},
);
export type CartContract = typeof cartContract;
