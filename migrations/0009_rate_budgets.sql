CREATE TABLE "rate_budgets" (
	"principal_id" uuid PRIMARY KEY NOT NULL,
	"available" double precision NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
