-- The full-text index over search_products (external content: the text is stored once, there).
-- unicode61 folds case and, with remove_diacritics 2, accents ("creme" finds "Crème");
-- prefix indexes make the last word's prefix match ("head" -> "headphones") cheap.
CREATE VIRTUAL TABLE `search_text` USING fts5(
	`name`, `description`,
	content='search_products', content_rowid='doc_id',
	tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
--> statement-breakpoint
CREATE TRIGGER `search_text_after_insert` AFTER INSERT ON `search_products` BEGIN
	INSERT INTO `search_text` (rowid, `name`, `description`) VALUES (new.`doc_id`, new.`name`, new.`description`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_text_after_delete` AFTER DELETE ON `search_products` BEGIN
	INSERT INTO `search_text` (`search_text`, rowid, `name`, `description`) VALUES ('delete', old.`doc_id`, old.`name`, old.`description`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_text_after_update` AFTER UPDATE OF `name`, `description` ON `search_products` BEGIN
	INSERT INTO `search_text` (`search_text`, rowid, `name`, `description`) VALUES ('delete', old.`doc_id`, old.`name`, old.`description`);
	INSERT INTO `search_text` (rowid, `name`, `description`) VALUES (new.`doc_id`, new.`name`, new.`description`);
END;
