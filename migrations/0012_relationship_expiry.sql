ALTER TABLE "gdap_relationships" ADD COLUMN "expiry_announced_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "gdap_unannounced_expiry_idx" ON "gdap_relationships" USING btree ("ends_at") WHERE status = 'ACTIVE' and not auto_extend and expiry_announced_at is null;--> statement-breakpoint
UPDATE "gdap_relationships" SET "expiry_announced_at" = "ends_at" WHERE "status" = 'ACTIVE' AND NOT "auto_extend" AND "ends_at" <= now();
