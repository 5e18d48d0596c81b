-- Hand-edited: SQLite cannot add a NOT NULL column without a default, so products is rebuilt,
-- its existing rows numbered in their insertion order (rowid), which is what broke ties before.
CREATE TABLE `__new_products` (
	`id` text PRIMARY KEY NOT NULL,
	`sku` text NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`category_id` text NOT NULL,
	`price` integer NOT NULL,
	`weight_grams` integer NOT NULL,
	`image_url` text,
	`active` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`seq` integer NOT NULL,
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_products` (`id`, `sku`, `name`, `description`, `category_id`, `price`, `weight_grams`, `image_url`, `active`, `created_at`, `updated_at`, `seq`)
	SELECT `id`, `sku`, `name`, `description`, `category_id`, `price`, `weight_grams`, `image_url`, `active`, `created_at`, `updated_at`, `rowid` FROM `products`;
--> statement-breakpoint
DROP TABLE `products`;--> statement-breakpoint
ALTER TABLE `__new_products` RENAME TO `products`;--> statement-breakpoint
CREATE UNIQUE INDEX `products_sku_unique` ON `products` (`sku`);--> statement-breakpoint
CREATE UNIQUE INDEX `products_seq_unique` ON `products` (`seq`);--> statement-breakpoint
CREATE INDEX `products_active_newest` ON `products` (`active`,`created_at`,`seq`);--> statement-breakpoint
CREATE INDEX `products_category_active_newest` ON `products` (`category_id`,`active`,`created_at`,`seq`);
