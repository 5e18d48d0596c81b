import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

/** Products a customer wished for; names, prices and stock are asked for when shown. */
export const wishlistItems = pgTable(
  'wishlist_items',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    addedAt: text('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] }), index('wishlist_items_product').on(t.productId)],
);
