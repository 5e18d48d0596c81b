CREATE TABLE `shipment_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tracking_number` text NOT NULL,
	`status` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`tracking_number`) REFERENCES `shipments`(`tracking_number`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shipment_events_tracking` ON `shipment_events` (`tracking_number`,`seq`);--> statement-breakpoint
CREATE TABLE `shipments` (
	`tracking_number` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`user_id` text NOT NULL,
	`method` text NOT NULL,
	`country` text NOT NULL,
	`postal_code` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shipments_order_id_unique` ON `shipments` (`order_id`);