CREATE TABLE "sign_in_familiar" (
	"login" text NOT NULL,
	"client" text NOT NULL,
	"last_success_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sign_in_familiar_login_client_pk" PRIMARY KEY("login","client")
);
