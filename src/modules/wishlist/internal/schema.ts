import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Products a customer wished for; names, prices and stock are asked for when shown. */
export const wishlistItems = sqliteTable(
  'wishlist_items',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    addedAt: text('added_at').notNull(),
    /**
     * The order of adding within the user's list, numbered by the store as it adds (one more than
     * the list's highest): breaks ties between items added in the same millisecond, the same on both engines.
     */
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] }), index('wishlist_items_product').on(t.productId)],
);
