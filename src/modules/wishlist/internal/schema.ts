import { index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Products a customer wished for; names, prices and stock are asked for when shown. */
export const wishlistItems = sqliteTable(
  'wishlist_items',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    addedAt: text('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] }), index('wishlist_items_product').on(t.productId)],
);
