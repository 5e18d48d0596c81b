import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** One line per product in a customer's cart; prices are never stored (the catalog's are current). */
export const cartLines = sqliteTable(
  'cart_lines',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    addedAt: text('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] })],
);
