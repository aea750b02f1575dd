package dev.gatehouse.hub.rooms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.RoomState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rooms' A/V as edges report it ({@code room_states}): the latest per device and room. A state
 * with rooms replaces the device's rows; one without them leaves them (an edge sends none until the
 * hub's {@code hub.time} says it reads them, and none in its last will), unless the device does not
 * report {@link DeviceState#ROOMS_FEATURE}: then it has no rooms to report any more.
 */
public record RoomStateStore(Database database) {
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

    /** Records {@code state}'s rooms for {@code deviceId}, in the caller's transaction. */
    public static void record(
            Connection c,
            String tenantId,
            String siteId,
            String deviceId,
            DeviceState state,
            Instant reportedAt,
            long receivedAt)
            throws SQLException {
        boolean keep = state.rooms().isEmpty()
                && (state.health() == Health.OFFLINE || state.features().contains(DeviceState.ROOMS_FEATURE));
        if (keep) {
            return;
        }
        Sql.update(c, "DELETE FROM room_states WHERE tenant_id = ? AND device_id = ?", tenantId, deviceId);
        List<List<?>> rows = new ArrayList<>();
        for (RoomState room : state.rooms()) {
            rows.add(List.of(
                    tenantId,
                    siteId,
                    deviceId,
                    room.room(),
                    json(new TreeSet<>(room.doors())),
                    room.mode(),
                    room.presence(),
                    room.booking(),
                    json(new TreeMap<>(room.values())),
                    json(new TreeSet<>(room.pending())),
                    json(new TreeSet<>(room.overridden())),
                    json(new TreeMap<>(room.faults())),
                    reportedAt,
                    receivedAt));
        }
        if (!rows.isEmpty()) {
            Sql.batch(
                    c,
                    "INSERT INTO room_states (tenant_id, site_id, device_id, room_id, doors, mode, presence,"
                            + " booking_id, confirmed, pending, overridden, faults, reported_at, received_at) VALUES"
                            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows);
        }
    }

    /**
     * The site's rooms as its active devices last reported them, by room id then device, each with
     * the bookable resource it is (see {@link RoomResources}).
     */
    public List<RoomStateView> site(String tenantId, String siteId) {
        return database.read(c -> {
            RoomResources resources = RoomResources.load(c, tenantId, siteId);
            return Sql.list(
                    c,
                    "SELECT r.room_id, r.device_id, d.health, r.mode, r.presence, r.booking_id, r.confirmed,"
                            + " r.pending, r.overridden, r.faults, r.reported_at, r.received_at, r.doors"
                            + " FROM room_states r JOIN devices d ON d.id = r.device_id AND d.tenant_id = r.tenant_id"
                            + " WHERE r.tenant_id = ? AND r.site_id = ? AND d.site_id = r.site_id"
                            + " AND d.status = 'active' ORDER BY r.room_id, r.device_id",
                    row -> {
                        List<String> doors = read(row.getString(13), LIST);
                        return new RoomStateView(
                                row.getString(1),
                                resources.of(row.getString(1), doors).orElse(null),
                                doors,
                                row.getString(2),
                                wire(Optional.ofNullable(row.getString(3)).orElse("OFFLINE")),
                                wire(row.getString(4)),
                                wire(row.getString(5)),
                                row.getString(6),
                                read(row.getString(7), MAP),
                                read(row.getString(8), LIST),
                                read(row.getString(9), LIST),
                                read(row.getString(10), MAP),
                                Times.iso(row.getLong(11)),
                                Times.iso(row.getLong(12)));
                    },
                    tenantId,
                    siteId);
        });
    }

    /** A Java enum name as stored, as its wire name: {@code IN_USE} → {@code in-use}. */
    private static String wire(String javaName) {
        return javaName.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("room_states holds JSON the hub did not write: " + e.getMessage(), e);
        }
    }
}
