CREATE TABLE `kernel_generations` (
	`scope` text PRIMARY KEY NOT NULL,
	`value` integer DEFAULT 0 NOT NULL
);
