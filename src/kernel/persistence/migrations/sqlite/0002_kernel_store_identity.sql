CREATE TABLE `kernel_store_identity` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL
);
