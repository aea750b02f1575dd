-- Issue 17 item 1: the weekly site report, mailed by the hub itself (analytics.WeeklyReportMails). A
-- row per site and week (the Monday it starts on, in the site's zone), inserted in a transaction
-- before the mails go out: the insert that wins the key sends, every other (a second hub process, a
-- restart, the next sweep) finds the row and does nothing. sent_at and error say how it went.
CREATE TABLE weekly_report_runs (
    site_id     TEXT NOT NULL REFERENCES sites (id),
    week        TEXT NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    claimed_at  BIGINT NOT NULL,
    recipients  INTEGER NOT NULL,
    sent_at     BIGINT,
    error       TEXT,
    PRIMARY KEY (site_id, week)
);
