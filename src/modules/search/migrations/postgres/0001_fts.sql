-- Full-text search on PostgreSQL (SQLite uses an FTS5 table instead, see ../sqlite/0001_fts.sql).
-- A generated tsvector over name and description, kept in step by PostgreSQL itself, and a GIN
-- index over it. Declared only here, not in schema.pg.ts: drizzle never reads or writes it.
ALTER TABLE search_products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(name,'') || ' ' || coalesce(description,''))) STORED;
--> statement-breakpoint
CREATE INDEX search_products_search_vector ON search_products USING gin (search_vector);
