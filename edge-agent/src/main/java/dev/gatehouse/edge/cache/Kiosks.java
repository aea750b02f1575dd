package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.MemberId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The kiosk tablets the site's technician paired, in the cache's file (not replaced by a snapshot:
 * the hub does not know them), and the members a kiosk may offer a walk-in as host. A kiosk is known
 * by the SHA-256 of its bearer token; the token itself is only ever in the tablet's cookie.
 */
public final class Kiosks {
    private final SqliteConnections connections;

    Kiosks(SqliteConnections connections) {
        this.connections = connections;
    }

    /** A paired kiosk; {@code door} is the door a visitor's pass sign-in opens, if it is bound to one. */
    public record Kiosk(String id, String name, Optional<DoorId> door, Instant pairedAt) {
        public Kiosk {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(door, "door");
            Objects.requireNonNull(pairedAt, "pairedAt");
        }
    }

    /** A member offered as a walk-in's host: the id and the display name, nothing else. */
    public record Host(MemberId id, String displayName) {}

    /** Stores a newly paired kiosk; a kiosk with the same id is replaced (paired again, its old token dead). */
    public void pair(Kiosk kiosk, String tokenHash) {
        connections.write("pair kiosk " + kiosk.id(), session -> {
            PreparedStatement upsert =
                    session.prepare("INSERT INTO kiosk (id, name, token_hash, door, paired_at) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, token_hash = excluded.token_hash,"
                            + " door = excluded.door, paired_at = excluded.paired_at");
            upsert.setString(1, kiosk.id());
            upsert.setString(2, kiosk.name());
            upsert.setString(3, tokenHash);
            upsert.setString(4, kiosk.door().map(DoorId::value).orElse(null));
            upsert.setString(5, kiosk.pairedAt().toString());
            upsert.executeUpdate();
            return null;
        });
    }

    /** Forgets a kiosk: its tablet shows the pairing page at its next request. */
    public boolean unpair(String id) {
        return connections.write("unpair kiosk " + id, session -> {
            PreparedStatement delete = session.prepare("DELETE FROM kiosk WHERE id = ?");
            delete.setString(1, id);
            return delete.executeUpdate() > 0;
        });
    }

    /** The kiosk whose token hashes to {@code tokenHash}. */
    public Optional<Kiosk> byTokenHash(String tokenHash) {
        return connections.read("find a kiosk by its token", session -> {
            PreparedStatement query =
                    session.prepare("SELECT id, name, door, paired_at FROM kiosk WHERE token_hash = ?");
            query.setString(1, tokenHash);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(kiosk(rows)) : Optional.<Kiosk>empty();
            }
        });
    }

    /** Every paired kiosk, by id. */
    public List<Kiosk> all() {
        return connections.read("list the kiosks", session -> {
            List<Kiosk> out = new ArrayList<>();
            try (ResultSet rows = session.prepare("SELECT id, name, door, paired_at FROM kiosk ORDER BY id")
                    .executeQuery()) {
                while (rows.next()) {
                    out.add(kiosk(rows));
                }
            }
            return out;
        });
    }

    /**
     * Active members whose display name has a word starting with {@code letters} (case-insensitive),
     * by name, at most {@code max}. Reads every member row (the names have no index): a kiosk asks
     * after two letters, and a site's members are thousands, not millions.
     */
    public List<Host> hosts(String letters, int max) {
        String needle = letters.strip()
                .toLowerCase(Locale.ROOT)
                .replace("\\", "\\\\")
                .replace("%", "\\%")
                .replace("_", "\\_");
        return connections.read("find hosts for a walk-in", session -> {
            PreparedStatement query = session.prepare("SELECT key, json_extract(json, '$.displayName') AS name"
                    + " FROM entity WHERE kind = 'member' AND json_extract(json, '$.status') = 'active'"
                    + " AND name IS NOT NULL AND (lower(name) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\')"
                    + " ORDER BY name, key LIMIT ?");
            query.setString(1, needle + "%");
            query.setString(2, "% " + needle + "%");
            query.setInt(3, max);
            List<Host> out = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    out.add(new Host(new MemberId(rows.getString(1)), rows.getString(2)));
                }
            }
            return out;
        });
    }

    /** The display name of an active member, if the hub sent one. */
    public Optional<String> displayName(MemberId member) {
        return connections.read("read a member's display name", session -> {
            PreparedStatement query = session.prepare("SELECT json_extract(json, '$.displayName') FROM entity"
                    + " WHERE kind = 'member' AND key = ? AND json_extract(json, '$.status') = 'active'");
            query.setString(1, member.value());
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.<String>empty();
            }
        });
    }

    private static Kiosk kiosk(ResultSet rows) throws java.sql.SQLException {
        String door = rows.getString(3);
        return new Kiosk(
                rows.getString(1),
                rows.getString(2),
                door == null ? Optional.empty() : Optional.of(new DoorId(door)),
                Instant.parse(rows.getString(4)));
    }
}
