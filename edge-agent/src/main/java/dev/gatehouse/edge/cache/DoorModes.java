package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.policy.DoorMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The modes commands put doors in ({@code door_mode}): a lockdown or an emergency release is kept
 * until a release, so a restarted agent starts the door in it. Thread-safe, like the cache.
 */
final class DoorModes {
    private final SqliteConnections connections;

    DoorModes(SqliteConnections connections) {
        this.connections = connections;
    }

    /** Persists {@code mode} for {@code door}; {@link DoorMode#NORMAL} removes the row. */
    void set(DoorId door, DoorMode mode) {
        Objects.requireNonNull(door, "door");
        Objects.requireNonNull(mode, "mode");
        connections.write("persist the mode of door " + door, session -> {
            switch (mode) {
                case DoorMode.Normal normal -> {
                    PreparedStatement delete = session.prepare("DELETE FROM door_mode WHERE door = ?");
                    delete.setString(1, door.value());
                    delete.executeUpdate();
                }
                case DoorMode.Lockdown lockdown ->
                    putMode(
                            session,
                            door,
                            "lockdown",
                            String.join(",", new java.util.TreeSet<>(lockdown.allowedRoles())));
                case DoorMode.EmergencyRelease release -> putMode(session, door, "emergency-release", "");
            }
            return null;
        });
    }

    private static void putMode(SqliteSession session, DoorId door, String mode, String roles) throws SQLException {
        PreparedStatement upsert = session.prepare("INSERT INTO door_mode (door, mode, roles) VALUES (?, ?, ?)"
                + " ON CONFLICT (door) DO UPDATE SET mode = excluded.mode, roles = excluded.roles");
        upsert.setString(1, door.value());
        upsert.setString(2, mode);
        upsert.setString(3, roles);
        upsert.executeUpdate();
    }

    /** The persisted mode of {@code door}: {@link DoorMode#NORMAL} unless a command left it in another. */
    DoorMode get(DoorId door) {
        Objects.requireNonNull(door, "door");
        return connections.read("read the mode of door " + door, session -> {
            PreparedStatement query = session.prepare("SELECT mode, roles FROM door_mode WHERE door = ?");
            query.setString(1, door.value());
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return DoorMode.NORMAL;
                }
                String mode = rows.getString(1);
                if ("emergency-release".equals(mode)) {
                    return DoorMode.EMERGENCY_RELEASE;
                }
                if ("lockdown".equals(mode)) {
                    String roles = rows.getString(2);
                    return new DoorMode.Lockdown(
                            roles.isEmpty() ? java.util.Set.of() : java.util.Set.of(roles.split(",")));
                }
                throw new CacheException(
                        CacheError.CORRUPT,
                        "door " + door + " has an unknown persisted mode '" + mode + "' in " + connections.file());
            }
        });
    }
}
