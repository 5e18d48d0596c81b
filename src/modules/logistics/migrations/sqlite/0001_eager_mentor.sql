CREATE TABLE `cancelled_bookings` (
	`order_id` text PRIMARY KEY NOT NULL,
	`cancelled_at` text NOT NULL
);
