-- Hand-edited: rows already there (if any) are numbered oldest first before seq becomes NOT NULL.
DROP INDEX "products_active_newest";--> statement-breakpoint
DROP INDEX "products_category_active_newest";--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "seq" integer;--> statement-breakpoint
UPDATE "products" SET "seq" = numbered.n FROM (SELECT "id", row_number() OVER (ORDER BY "created_at", "id") AS n FROM "products") AS numbered WHERE "products"."id" = numbered."id";--> statement-breakpoint
ALTER TABLE "products" ALTER COLUMN "seq" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "products_active_newest" ON "products" USING btree ("active","created_at","seq");--> statement-breakpoint
CREATE INDEX "products_category_active_newest" ON "products" USING btree ("category_id","active","created_at","seq");--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_seq_unique" UNIQUE("seq");
