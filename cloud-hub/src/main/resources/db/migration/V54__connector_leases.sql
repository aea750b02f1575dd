-- Issue 17 item 5, review fixes: connectors on several hub replicas over one database.

-- Who holds a pending job's lease: set by the claim, kept alive by the holder while the job waits in its
-- batch or runs (next_attempt_at is the lease's end while lease_owner is set), and compared when the job
-- is finished, so a replica whose lease ran out records nothing over the one that took the job over.
ALTER TABLE connector_jobs ADD COLUMN lease_owner TEXT;

-- A token refresh in progress: the replica that set refresh_owner (until refresh_until) is the only one
-- spending the refresh token; the others wait for the tokens it stores. Serialises a rotating refresh
-- token (QuickBooks) across replicas, where an in-process lock cannot.
ALTER TABLE connector_settings ADD COLUMN refresh_owner TEXT;
ALTER TABLE connector_settings ADD COLUMN refresh_until BIGINT;

-- Finished jobs are pruned after hub.connectors.job-retention by when they finished.
CREATE INDEX connector_jobs_finished ON connector_jobs (finished_at);

-- How often an operator put a failed job back (POST …/jobs/{id}/retry): part of the idempotency key a
-- connector sends (QuickBooks' requestid), so a retry after a fix is a new request while the automatic
-- retries of one attempt (a lost answer) repeat the same one.
ALTER TABLE connector_jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
