-- Issue 18 item 1: hub replicas on one store must share one master key. One row (`id` is always 1):
-- the id of the master key the store's secrets are sealed under (16 hex digits of a labelled SHA-256,
-- revealing nothing of the key) and a known constant sealed under that key. The first hub to start on
-- a store without the row inserts it (the primary key lets only one of two hubs starting at once win);
-- every start opens it, so a hub with another key file refuses to start before it serves. A key
-- rotation seals it again in the same transaction as the other sealed columns. Portable SQL.
CREATE TABLE master_key_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_id      TEXT NOT NULL,
    check_value TEXT NOT NULL
);
