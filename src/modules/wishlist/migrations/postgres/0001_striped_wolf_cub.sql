-- Hand-edited: rows already there (if any) are numbered within each list, oldest first, before seq becomes NOT NULL.
ALTER TABLE "wishlist_items" ADD COLUMN "seq" integer;--> statement-breakpoint
UPDATE "wishlist_items" SET "seq" = numbered.n FROM (SELECT "user_id", "product_id", row_number() OVER (PARTITION BY "user_id" ORDER BY "added_at", "product_id") AS n FROM "wishlist_items") AS numbered WHERE "wishlist_items"."user_id" = numbered."user_id" AND "wishlist_items"."product_id" = numbered."product_id";--> statement-breakpoint
ALTER TABLE "wishlist_items" ALTER COLUMN "seq" SET NOT NULL;
