CREATE TABLE "bulk_job_rows" (
	"customer_id" uuid NOT NULL,
	"job_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"cells" jsonb NOT NULL,
	"outcome" text NOT NULL,
	"message" text,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"user_id" uuid,
	"credential" text,
	"processed_at" timestamp with time zone,
	CONSTRAINT "bulk_job_rows_customer_id_job_id_row_number_pk" PRIMARY KEY("customer_id","job_id","row_number")
);
--> statement-breakpoint
CREATE TABLE "bulk_jobs" (
	"customer_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'QUEUED' NOT NULL,
	"created_by_agent_id" uuid NOT NULL,
	"created_by_name" text NOT NULL,
	"file_name" text,
	"header" jsonb NOT NULL,
	"delimiter" text NOT NULL,
	"bom" boolean NOT NULL,
	"parts" text[] NOT NULL,
	"total" integer NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"error" text,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "bulk_jobs_customer_id_id_pk" PRIMARY KEY("customer_id","id")
);
--> statement-breakpoint
ALTER TABLE "bulk_jobs" ADD CONSTRAINT "bulk_jobs_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_jobs" ADD CONSTRAINT "bulk_jobs_created_by_agent_id_agents_id_fk" FOREIGN KEY ("created_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bulk_job_rows_credential_idx" ON "bulk_job_rows" USING btree ("processed_at") WHERE credential is not null;--> statement-breakpoint
CREATE INDEX "bulk_jobs_claim_idx" ON "bulk_jobs" USING btree ("created_at") WHERE status in ('QUEUED', 'RUNNING');