DROP INDEX "domains_name_idx";--> statement-breakpoint
DROP INDEX "users_upn_signin_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "domains_name_key" ON "domains" USING btree ("name");