CREATE TABLE "group_activations" (
	"partner_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"group_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"justification" text NOT NULL,
	"minutes" integer NOT NULL,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by_agent_id" uuid,
	"decided_at" timestamp with time zone,
	"decision_reason" text,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	CONSTRAINT "group_activations_partner_id_id_pk" PRIMARY KEY("partner_id","id")
);
--> statement-breakpoint
ALTER TABLE "group_members" ADD COLUMN "kind" text DEFAULT 'ACTIVE' NOT NULL;--> statement-breakpoint
ALTER TABLE "security_groups" ADD COLUMN "max_activation_minutes" integer DEFAULT 480 NOT NULL;--> statement-breakpoint
ALTER TABLE "security_groups" ADD COLUMN "requires_approval" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "group_activations" ADD CONSTRAINT "group_activations_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_activations" ADD CONSTRAINT "group_activations_group_id_security_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."security_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_activations" ADD CONSTRAINT "group_activations_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_activations_member_idx" ON "group_activations" USING btree ("group_id","agent_id","ends_at");--> statement-breakpoint
CREATE INDEX "group_activations_pending_idx" ON "group_activations" USING btree ("partner_id","requested_at") WHERE status = 'PENDING_APPROVAL';