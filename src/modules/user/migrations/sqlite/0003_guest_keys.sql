ALTER TABLE `users` ADD `guest_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_guest_key_email` ON `users` (`guest_key`,`email`);