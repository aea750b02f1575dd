-- Issue 17 item 1, analytics at size: hourly presence per site (access.PresenceRollup), kept in the
-- ingest's transaction so that a month's heatmap or occupancy reads one row an hour instead of every
-- entry. hour: the start of a UTC hour (epoch ms); people: distinct members present at any moment of
-- it (an entry makes its member present for the dwell time); received_max: the latest received_at of
-- the entries covering it (an as-of instant before it computes the hour from the entries instead).
CREATE TABLE analytics_presence (
    tenant_id     TEXT NOT NULL,
    site_id       TEXT NOT NULL,
    hour          BIGINT NOT NULL,
    people        INTEGER NOT NULL,
    received_max  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, site_id, hour)
);

-- The dwell the rows were made with (hub.console.dwell); a hub started with another makes them again.
CREATE TABLE analytics_presence_dwell (
    id        INTEGER PRIMARY KEY,
    dwell_ms  BIGINT NOT NULL
);

-- Retention deleted the tenant's entries before some instant: hours before from_hour are not kept.
CREATE TABLE analytics_presence_from (
    tenant_id  TEXT PRIMARY KEY,
    from_hour  BIGINT NOT NULL
);

-- A site's occupancy reads the revisions of that site's subscriptions only (sold occupancy).
CREATE INDEX subscription_history_site ON subscription_history (tenant_id, site_id, recorded_at);
