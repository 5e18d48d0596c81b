import { z } from 'zod';
import { call, Cents, defineContract, event, Id, Timestamp } from '../../kernel/contract.ts';
import { Cart } from '../cart/contract.ts';

export const WishlistItem = z.object({ productId: Id, name: z.string(), price: Cents, inStock: z.boolean(), addedAt: Timestamp });
const Ref = z.strictObject({ userId: Id, productId: Id });

/** Products a customer wants later; it tells them when one gets cheaper or is back in stock. */
export const wishlistContract = defineContract(
  'wishlist',
  {
    /** The wishlist with current prices and stock, newest first. */
    list: call({ input: z.strictObject({ userId: Id }), output: z.object({ items: z.array(WishlistItem) }) }),
    /** Adds a product (idempotent: added=false if it was there). Not found for unknown/archived products. */
    add: call({ input: Ref, output: z.object({ added: z.boolean() }) }),
    /** Removes a product (idempotent). */
    remove: call({ input: Ref, output: z.object({}) }),
    /** Puts one unit in the cart and takes the product off the wishlist. Not found if not wished. */
    moveToCart: call({ input: Ref, output: Cart }),
  },
  {
    item_added: event(1, z.object({ userId: Id, productId: Id })),
    item_removed: event(1, z.object({ userId: Id, productId: Id })),
    /** A wished product got cheaper (one per wisher per drop). */
    price_dropped: event(1, z.object({ userId: Id, productId: Id, name: z.string(), oldPrice: Cents, newPrice: Cents })),
    /** A wished product is available again after being sold out. */
    back_in_stock: event(1, z.object({ userId: Id, productId: Id, name: z.string() })),
  },
);
export type WishlistContract = typeof wishlistContract;
