-- Full-text search on PostgreSQL (SQLite uses an FTS5 table instead, see ../sqlite/0001_fts.sql).
-- name_folded and description_folded hold the name and description as the store writes them for
-- matching: cut into words, lower-cased, accents removed (internal/text-match.ts), as SQLite's
-- unicode61 tokenizer does; unaccent() is an extension, which a module's role may not be allowed
-- to create. search_vector is generated from them by PostgreSQL itself, name words weighted A and
-- description words B, with a GIN index. Declared only here, not in schema.pg.ts (SQLite has none
-- of these columns): only text-match.ts reads or writes them.
ALTER TABLE search_products ADD COLUMN name_folded text NOT NULL DEFAULT '';
--> statement-breakpoint
ALTER TABLE search_products ADD COLUMN description_folded text NOT NULL DEFAULT '';
--> statement-breakpoint
ALTER TABLE search_products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', name_folded), 'A') || setweight(to_tsvector('simple', description_folded), 'B')) STORED;
--> statement-breakpoint
CREATE INDEX search_products_search_vector ON search_products USING gin (search_vector);
