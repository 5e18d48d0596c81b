CREATE TABLE "voided_orders" (
	"order_id" text PRIMARY KEY NOT NULL,
	"voided_at" text NOT NULL
);
