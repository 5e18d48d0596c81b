CREATE TABLE `kernel_inbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`handler` text NOT NULL,
	`type` text NOT NULL,
	`key` text,
	`envelope` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`locked_until` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`received_at` text NOT NULL,
	`handled_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `kernel_inbox_event_handler` ON `kernel_inbox` (`event_id`,`handler`);--> statement-breakpoint
CREATE INDEX `kernel_inbox_pending` ON `kernel_inbox` (`seq`) WHERE status = 'pending';--> statement-breakpoint
CREATE TABLE `kernel_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`version` integer NOT NULL,
	`key` text,
	`trace_id` text,
	`payload` text NOT NULL,
	`occurred_at` text NOT NULL,
	`published_at` text
);
--> statement-breakpoint
CREATE INDEX `kernel_outbox_unpublished` ON `kernel_outbox` (`seq`) WHERE published_at IS NULL;