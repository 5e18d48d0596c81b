import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Search's own copy of each product, as the catalog's events describe it. The full-text index
 * (`search_text`, FTS5, see migrations/sqlite/*_fts.sql) is an external-content table over this one,
 * kept in step by triggers; `doc_id` is its rowid, declared so that VACUUM cannot renumber it.
 */
export const searchProducts = sqliteTable(
  'search_products',
  {
    docId: integer('doc_id').primaryKey(),
    productId: text('product_id').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    categoryId: text('category_id').notNull(),
    price: integer('price').notNull(),
    /** Archived products stay as rows (so late events cannot revive them) but are never found. */
    active: integer('active', { mode: 'boolean' }).notNull(),
    /** Copied from search_stock (which may hear of a product first) so filters need no join. */
    inStock: integer('in_stock', { mode: 'boolean' }).notNull(),
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
export const searchStock = sqliteTable('search_stock', {
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
export const searchCategories = sqliteTable(
  'search_categories',
  {
    categoryId: text('category_id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
  },
  (t) => [index('search_categories_slug').on(t.slug)],
);
