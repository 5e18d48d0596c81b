import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

/** One line per product in a customer's cart; prices are never stored (the catalog's are current). */
export const cartLines = pgTable(
  'cart_lines',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    addedAt: text('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] })],
);
