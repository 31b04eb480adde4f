CREATE TABLE "partner_audit_events" (
	"partner_id" uuid NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "partner_audit_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" uuid,
	"actor_email" text,
	"actor_name" text NOT NULL,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"target_type" text,
	"target_id" uuid,
	"target_name" text,
	"customer_id" uuid,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "partner_audit_events_partner_id_seq_pk" PRIMARY KEY("partner_id","seq")
);
--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "status" text DEFAULT 'ENABLED' NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "actor_email" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "last_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "partner_audit_events" ADD CONSTRAINT "partner_audit_events_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partner_audit_actor_idx" ON "partner_audit_events" USING btree ("partner_id","actor_id","seq");--> statement-breakpoint
CREATE INDEX "partner_audit_action_idx" ON "partner_audit_events" USING btree ("partner_id","action","seq");--> statement-breakpoint
CREATE INDEX "sessions_agent_idx" ON "sessions" USING btree ("agent_id");--> statement-breakpoint
-- Existing partners had no ACCESS_ADMINISTRATOR: their first ADMIN_AGENT (the bootstrap admin) becomes one, so
-- someone can still manage access after the upgrade.
UPDATE "agents" SET "roles" = array_append("roles", 'ACCESS_ADMINISTRATOR')
WHERE "id" IN (
  SELECT DISTINCT ON ("partner_id") "id" FROM "agents"
  WHERE 'ADMIN_AGENT' = ANY("roles") ORDER BY "partner_id", "created_at", "id"
) AND NOT ('ACCESS_ADMINISTRATOR' = ANY("roles"));
