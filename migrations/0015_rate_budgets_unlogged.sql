-- Request budgets are spent by a write on every request. As an unlogged table they write no WAL, so the spend's
-- commit does not wait for a WAL flush (a ~1.5 ms fsync a request at concurrency 1, where nothing else shares it).
-- What that gives up: after a database crash (or on a promoted replica) every bucket starts full again, as a new
-- caller's does; budgets are a rate limit, not data anyone reads back.
ALTER TABLE "rate_budgets" SET UNLOGGED;
