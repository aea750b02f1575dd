package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.web.Json;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fleet page's model: each site the operator may see, its change log head, and its devices as
 * their last {@code device.state} left them (the same columns {@code GET /api/v1/sites/{id}/sync}
 * answers). A device is online when its last state is not {@code offline}, the health its last will
 * carries. Values a device never reported are empty.
 */
public record FleetBoard(Database database) {
    public record Site(String id, String name, ZoneId zone, long headSeq, List<Device> devices) {
        public long online() {
            return devices.stream().filter(Device::online).count();
        }
    }

    /** One device; {@code status} is its provisioning status (pending, active, retired). */
    public record Device(
            String id,
            String name,
            String status,
            boolean online,
            Optional<Instant> lastSeen,
            Optional<String> version,
            Optional<Long> cacheSeq,
            Optional<Long> lag,
            Optional<String> clock,
            Optional<String> health,
            Optional<Long> outboxDepth,
            List<String> problems) {}

    public List<Site> sites(String tenantId, Access access) {
        return database.read(c -> {
            record Row(String id, String name, ZoneId zone, long head) {}
            List<Site> sites = new ArrayList<>();
            for (Row site : Sql.list(
                    c,
                    "SELECT id, name, time_zone, change_seq FROM sites WHERE tenant_id = ? ORDER BY name, id",
                    r -> new Row(r.getString(1), r.getString(2), ZoneId.of(r.getString(3)), r.getLong(4)),
                    tenantId)) {
                if (!access.covers(site.id())) {
                    continue;
                }
                sites.add(new Site(
                        site.id(),
                        site.name(),
                        site.zone(),
                        site.head(),
                        Sql.list(
                                c,
                                "SELECT id, name, status, acked_seq, clock, health, outbox_depth, problems, version,"
                                        + " last_seen_at FROM devices WHERE tenant_id = ? AND site_id = ?"
                                        + " ORDER BY name, id",
                                r -> device(r, site.head()),
                                tenantId,
                                site.id())));
            }
            return sites;
        });
    }

    private static Device device(ResultSet r, long head) throws SQLException {
        long seq = r.getLong(4);
        Optional<Long> cacheSeq = r.wasNull() ? Optional.empty() : Optional.of(seq);
        String health = r.getString(6);
        long outbox = r.getLong(7);
        Optional<Long> outboxDepth = r.wasNull() ? Optional.empty() : Optional.of(outbox);
        return new Device(
                r.getString(1),
                r.getString(2),
                WireNames.wire(r.getString(3)),
                health != null && !health.equals("OFFLINE"),
                Sql.instant(r, 10),
                Optional.ofNullable(r.getString(9)),
                cacheSeq,
                cacheSeq.map(s -> Math.max(0, head - s)),
                Optional.ofNullable(r.getString(5)).map(WireNames::wire),
                Optional.ofNullable(health).map(WireNames::wire),
                outboxDepth,
                problems(r.getString(8)));
    }

    private static List<String> problems(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            List<String> problems = new ArrayList<>();
            Json.MAPPER.readTree(json).forEach(node -> problems.add(node.asText()));
            return problems;
        } catch (IOException e) {
            return List.of();
        }
    }
}
