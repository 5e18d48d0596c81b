import { boolean, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

/**
 * Search's own copy of each product, as the catalog's events describe it. There is no FTS5 here:
 * migrations/postgres/*_fts.sql adds a generated `search_vector` tsvector column with a GIN index,
 * declared only in that SQL. `doc_id` is an identity column, as SQLite's rowid alias gives it a value.
 */
export const searchProducts = pgTable(
  'search_products',
  {
    docId: integer('doc_id').primaryKey().generatedByDefaultAsIdentity(),
    productId: text('product_id').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    categoryId: text('category_id').notNull(),
    price: integer('price').notNull(),
    /** Archived products stay as rows (so late events cannot revive them) but are never found. */
    active: boolean('active').notNull(),
    /** Copied from search_stock (which may hear of a product first) so filters need no join. */
    inStock: boolean('in_stock').notNull(),
    createdAt: text('created_at').notNull(),
    /** The catalog's `updatedAt` of the state held here: older events are ignored. */
    versionAt: text('version_at').notNull(),
  },
  (t) => [
    index('search_products_newest').on(t.active, t.createdAt),
    index('search_products_price').on(t.active, t.price),
    // Covers the facet counts: every filter but the text is answered from the index alone.
    index('search_products_facets').on(t.active, t.categoryId, t.price, t.inStock),
  ],
);

/** Available units per product from warehouse events; a product without a row is not in stock. */
export const searchStock = pgTable('search_stock', {
  productId: text('product_id').primaryKey(),
  available: integer('available').notNull(),
  /** When the warehouse reported this level: older reports are ignored. */
  changedAt: text('changed_at').notNull(),
});

/**
 * Categories as the catalog describes them: what lets a slug stand for its id and names the
 * facets. Fed by category_created; categories the events never brought (a shop older than this
 * table) are learnt from the catalog when a search meets them (see search-service.ts).
 */
export const searchCategories = pgTable(
  'search_categories',
  {
    categoryId: text('category_id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
  },
  (t) => [index('search_categories_slug').on(t.slug)],
);
