DROP INDEX `products_category_popular`;--> statement-breakpoint
DROP INDEX `products_popular`;--> statement-breakpoint
ALTER TABLE `products` ADD `created_at` text;--> statement-breakpoint
CREATE INDEX `products_category_popular` ON `products` (`category_id`,`active`,"purchases" DESC,"created_at" DESC,`product_id`);--> statement-breakpoint
CREATE INDEX `products_popular` ON `products` (`active`,"purchases" DESC,"created_at" DESC,`product_id`);