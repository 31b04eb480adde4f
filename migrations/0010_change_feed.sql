CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "users_updated_idx" ON "users" USING btree ("customer_id","updated_at","id");