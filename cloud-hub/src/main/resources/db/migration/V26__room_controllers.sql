-- Issue 15 item 1: a bookable room's A/V controller held at the hub (the OPC UA endpoint and the
-- controller's node for each function), synced to the site's edges as a `room` entity (protocol
-- feature room-config) so that the edge at the room's door runs it.
CREATE TABLE room_controllers (
    resource_id  TEXT PRIMARY KEY REFERENCES resources (id),
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    -- opc.tcp://host:port/path
    endpoint     TEXT NOT NULL,
    -- JSON {"display-power": "ns=2;s=room-1/Display/Power", …}: function to node id.
    nodes        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
