CREATE TABLE "bought_together" (
	"product_id" text NOT NULL,
	"other_id" text NOT NULL,
	"orders" integer NOT NULL,
	CONSTRAINT "bought_together_product_id_other_id_pk" PRIMARY KEY("product_id","other_id")
);
--> statement-breakpoint
CREATE TABLE "order_lines" (
	"order_id" text NOT NULL,
	"product_id" text NOT NULL,
	CONSTRAINT "order_lines_order_id_product_id_pk" PRIMARY KEY("order_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"order_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"lines_known" boolean DEFAULT false NOT NULL,
	"paid" boolean DEFAULT false NOT NULL,
	"counted" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"product_id" text PRIMARY KEY NOT NULL,
	"category_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"purchases" integer DEFAULT 0 NOT NULL,
	"created_at" text
);
--> statement-breakpoint
CREATE TABLE "user_purchases" (
	"user_id" text NOT NULL,
	"product_id" text NOT NULL,
	CONSTRAINT "user_purchases_user_id_product_id_pk" PRIMARY KEY("user_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "wishes" (
	"user_id" text NOT NULL,
	"product_id" text NOT NULL,
	CONSTRAINT "wishes_user_id_product_id_pk" PRIMARY KEY("user_id","product_id")
);
--> statement-breakpoint
CREATE INDEX "products_category_popular" ON "products" USING btree ("category_id","active","purchases" DESC NULLS LAST,"created_at" DESC NULLS LAST,"product_id");--> statement-breakpoint
CREATE INDEX "products_popular" ON "products" USING btree ("active","purchases" DESC NULLS LAST,"created_at" DESC NULLS LAST,"product_id");