CREATE TABLE `search_categories` (
	`category_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `search_categories_slug` ON `search_categories` (`slug`);