CREATE TABLE `bought_together` (
	`product_id` text NOT NULL,
	`other_id` text NOT NULL,
	`orders` integer NOT NULL,
	PRIMARY KEY(`product_id`, `other_id`)
);
--> statement-breakpoint
CREATE TABLE `order_lines` (
	`order_id` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`order_id`, `product_id`)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`lines_known` integer DEFAULT false NOT NULL,
	`paid` integer DEFAULT false NOT NULL,
	`counted` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE `products` (
	`product_id` text PRIMARY KEY NOT NULL,
	`category_id` text,
	`active` integer DEFAULT true NOT NULL,
	`purchases` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `products_category_popular` ON `products` (`category_id`,`active`,"purchases" DESC,`product_id`);--> statement-breakpoint
CREATE INDEX `products_popular` ON `products` (`active`,"purchases" DESC,`product_id`);--> statement-breakpoint
CREATE TABLE `user_purchases` (
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `product_id`)
);
--> statement-breakpoint
CREATE TABLE `wishes` (
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `product_id`)
);
