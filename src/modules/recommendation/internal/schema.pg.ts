import { boolean, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

/**
 * What recommendation knows of the catalog (fed by catalog events) plus how often each product
 * was in a paid order. A product first seen in an order, before its catalog event, has no
 * category and no creation time until that event arrives.
 */
export const products = pgTable(
  'products',
  {
    productId: text('product_id').primaryKey(),
    categoryId: text('category_id'),
    active: boolean('active').notNull().default(true),
    /** Paid orders that contained the product: its popularity. */
    purchases: integer('purchases').notNull().default(0),
    /** The catalog's `createdAt`: among equally bought products the newest come first, as in the catalog's lists. */
    createdAt: text('created_at'),
  },
  // In the exact order of the ranking queries (most bought, then newest, then id), so no query sorts rows.
  // NULLS LAST: SQLite sorts NULL lowest, so `created_at DESC` puts products without one last; PostgreSQL
  // sorts NULL highest, so the queries must say `created_at DESC NULLS LAST` to rank alike and use these.
  (t) => [
    index('products_category_popular').on(t.categoryId, t.active, t.purchases.desc(), t.createdAt.desc().nullsLast(), t.productId),
    index('products_popular').on(t.active, t.purchases.desc(), t.createdAt.desc().nullsLast(), t.productId),
  ],
);

/**
 * Orders as far as recommendation needs them. Lines (from order.placed) and payment (from
 * order.status_changed) may arrive in either order; whichever comes second counts the order,
 * once: `counted` guards against counting it twice.
 */
export const orders = pgTable('orders', {
  orderId: text('order_id').primaryKey(),
  userId: text('user_id').notNull(),
  linesKnown: boolean('lines_known').notNull().default(false),
  paid: boolean('paid').notNull().default(false),
  counted: boolean('counted').notNull().default(false),
});

export const orderLines = pgTable(
  'order_lines',
  {
    orderId: text('order_id').notNull(),
    productId: text('product_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);

/** How many paid orders held both products; stored in both directions so lookups need one index. */
export const boughtTogether = pgTable(
  'bought_together',
  {
    productId: text('product_id').notNull(),
    otherId: text('other_id').notNull(),
    orders: integer('orders').notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.otherId] })],
);

/** What each customer has bought in a paid order (never recommended back to them). */
export const userPurchases = pgTable(
  'user_purchases',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] })],
);

/** Each customer's wishlist, projected from wishlist events. */
export const wishes = pgTable(
  'wishes',
  {
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] })],
);
