CREATE TABLE "application_secrets" (
	"partner_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"description" text NOT NULL,
	"secret_hash" text NOT NULL,
	"hint" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "application_secrets_partner_id_id_pk" PRIMARY KEY("partner_id","id")
);
--> statement-breakpoint
ALTER TABLE "agents" ALTER COLUMN "email" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ALTER COLUMN "email_lower" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ALTER COLUMN "password_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "kind" text DEFAULT 'AGENT' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "actor_kind" text;--> statement-breakpoint
UPDATE "audit_events" SET "actor_kind" = CASE WHEN "actor_agent_id" IS NOT NULL THEN 'AGENT' WHEN "actor_user_id" IS NOT NULL THEN 'USER' ELSE 'SYSTEM' END;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "actor_kind" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "client_secret_id" uuid;--> statement-breakpoint
ALTER TABLE "application_secrets" ADD CONSTRAINT "application_secrets_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_secrets" ADD CONSTRAINT "application_secrets_application_id_agents_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_secrets_app_idx" ON "application_secrets" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "application_secrets_hash_key" ON "application_secrets" USING btree ("secret_hash");--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_kind_credentials_check" CHECK ((kind = 'AGENT' and email is not null and password_hash is not null) or (kind = 'APPLICATION' and email is null and password_hash is null));