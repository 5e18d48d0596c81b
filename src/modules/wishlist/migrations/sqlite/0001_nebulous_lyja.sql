-- Hand-edited: SQLite cannot add a NOT NULL column without a default, so wishlist_items is rebuilt,
-- its existing rows numbered in their insertion order (rowid), which is what broke ties before.
CREATE TABLE `__new_wishlist_items` (
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`added_at` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`user_id`, `product_id`)
);
--> statement-breakpoint
INSERT INTO `__new_wishlist_items` (`user_id`, `product_id`, `added_at`, `seq`)
	SELECT `user_id`, `product_id`, `added_at`, `rowid` FROM `wishlist_items`;
--> statement-breakpoint
DROP TABLE `wishlist_items`;--> statement-breakpoint
ALTER TABLE `__new_wishlist_items` RENAME TO `wishlist_items`;--> statement-breakpoint
CREATE INDEX `wishlist_items_product` ON `wishlist_items` (`product_id`);
