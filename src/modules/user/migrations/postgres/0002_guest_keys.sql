ALTER TABLE "users" ADD COLUMN "guest_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "users_guest_key_email" ON "users" USING btree ("guest_key","email");