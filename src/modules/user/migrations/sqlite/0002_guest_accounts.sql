DROP INDEX `users_email_unique`;--> statement-breakpoint
ALTER TABLE `users` ADD `is_guest` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_registered` ON `users` (`email`) WHERE is_guest = false;