-- Issue 15 item 8, the site day view's live rooms: each meeting room's A/V as its edge last reported
-- it in device.state (rooms), one row per device and room. A state with rooms replaces the device's
-- rows; a device that stops reporting rooms (no room-state feature) has its rows removed.
CREATE TABLE room_states (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    site_id      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    room_id      TEXT NOT NULL,
    -- RoomState.Mode and Presence by their Java names, as the store keeps enums.
    mode         TEXT NOT NULL,
    presence     TEXT NOT NULL,
    booking_id   TEXT,
    -- JSON objects and arrays as the edge reported them (bounded by the protocol: 8 functions each).
    confirmed    TEXT NOT NULL,
    pending      TEXT NOT NULL,
    overridden   TEXT NOT NULL,
    faults       TEXT NOT NULL,
    -- The state's envelope time (the edge's clock) and when the hub stored it, in ms.
    reported_at  BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, device_id, room_id)
);
CREATE INDEX room_states_site ON room_states (tenant_id, site_id);
