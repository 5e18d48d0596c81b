import { pgTable, text, integer, boolean, index } from 'drizzle-orm/pg-core';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

export const categories = pgTable('categories', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  createdAt: text('created_at').notNull(),
});

export const products = pgTable(
  'products',
  {
    id: text('id').primaryKey(),
    sku: text('sku').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    categoryId: text('category_id').notNull().references(() => categories.id),
    /** Cents; the shop sells in USD only. */
    price: integer('price').notNull(),
    weightGrams: integer('weight_grams').notNull(),
    imageUrl: text('image_url'),
    active: boolean('active').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  // Lists show active products newest first, over the whole shop or one category.
  (t) => [index('products_active_newest').on(t.active, t.createdAt), index('products_category_active_newest').on(t.categoryId, t.active, t.createdAt)],
);
