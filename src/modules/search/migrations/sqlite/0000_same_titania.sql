CREATE TABLE `search_products` (
	`doc_id` integer PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`category_id` text NOT NULL,
	`price` integer NOT NULL,
	`active` integer NOT NULL,
	`in_stock` integer NOT NULL,
	`created_at` text NOT NULL,
	`version_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_products_product_id_unique` ON `search_products` (`product_id`);--> statement-breakpoint
CREATE INDEX `search_products_newest` ON `search_products` (`active`,`created_at`);--> statement-breakpoint
CREATE INDEX `search_products_price` ON `search_products` (`active`,`price`);--> statement-breakpoint
CREATE INDEX `search_products_facets` ON `search_products` (`active`,`category_id`,`price`,`in_stock`);--> statement-breakpoint
CREATE TABLE `search_stock` (
	`product_id` text PRIMARY KEY NOT NULL,
	`available` integer NOT NULL,
	`changed_at` text NOT NULL
);
