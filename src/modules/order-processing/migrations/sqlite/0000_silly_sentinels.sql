CREATE TABLE `order_sagas` (
	`order_id` text PRIMARY KEY NOT NULL,
	`order` text,
	`status` text NOT NULL,
	`cancel_reason` text,
	`cancel_requested` text,
	`stock` text NOT NULL,
	`payment` text,
	`tracking_number` text,
	`shipment_status` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_sagas_status` ON `order_sagas` (`status`);