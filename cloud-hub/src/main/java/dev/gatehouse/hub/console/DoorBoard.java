package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.commands.CommandStore;
import dev.gatehouse.hub.commands.CommandView;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Access;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the doors page shows for each site an operator may see: every door with its live state (as
 * {@link DoorStates} works it out), its configured settings, and the status of its latest remote
 * unlock; and the site's latest lockdown or release with its status. Command statuses are the API's
 * ({@code pending} shows as "sent").
 */
public record DoorBoard(Database database, CommandStore commands, Clock clock) {
    /** How many recent commands of a site are looked through for the latest per door. */
    private static final int RECENT_COMMANDS = 50;

    public record Site(String id, String name, ZoneId zone, List<Door> doors, Optional<Sent> lockdown) {}

    /** A door: its state, its settings as configured on the hub, its latest remote unlock. */
    public record Door(DoorState live, Settings settings, Optional<Sent> unlock) {}

    /** The door's settings as stored on the hub (what the edge gets with the door). */
    /**
     * The door's settings as stored on the hub (what the edge gets with the door); {@code heldOpenSeconds}
     * and {@code officeHoursWindows} are empty when each edge's own configuration decides them.
     */
    public record Settings(
            int unlockSeconds,
            String untrustedClock,
            String offlineMode,
            long offlineAfterSeconds,
            Optional<Long> heldOpenSeconds,
            Optional<Integer> officeHoursWindows) {
        /** The message key of the untrusted-clock mode ({@code doors.mode.KEEP_GRANTING}). */
        public String untrustedClockKey() {
            return key(untrustedClock);
        }

        public String offlineModeKey() {
            return key(offlineMode);
        }

        private static String key(String mode) {
            return "doors.mode." + mode.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        }
    }

    private static int windowCount(String officeHoursJson) {
        try {
            return dev.gatehouse.hub.web.Json.MAPPER.readTree(officeHoursJson).size();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("doors.office_hours is not JSON: " + officeHoursJson, e);
        }
    }

    /** A command sent from the console or the API: its action type, status and time. */
    public record Sent(String id, String type, String status, Instant issuedAt) {}

    /** The operator's sites with their doors. */
    List<Site> sites(String tenantId, Access access) {
        List<Site> sites = new ArrayList<>();
        for (SiteName site : siteNames(tenantId, access)) {
            sites.add(site(tenantId, site));
        }
        return sites;
    }

    /** One site, when it is the tenant's. */
    Optional<Site> site(String tenantId, String siteId) {
        return database.read(c -> Sql.one(
                        c,
                        "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? AND id = ?",
                        DoorBoard::siteName,
                        tenantId,
                        siteId))
                .map(site -> site(tenantId, site));
    }

    public record SiteName(String id, String name, ZoneId zone) {}

    private static SiteName siteName(java.sql.ResultSet row) throws SQLException {
        return new SiteName(row.getString(1), row.getString(2), ZoneId.of(row.getString(3)));
    }

    List<SiteName> siteNames(String tenantId, Access access) {
        return database.read(c -> Sql.list(
                        c,
                        "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        DoorBoard::siteName,
                        tenantId)
                .stream()
                .filter(site -> access.covers(site.id()))
                .toList());
    }

    private Site site(String tenantId, SiteName site) {
        long now = clock.millis();
        record Read(List<DoorState> states, Map<String, Settings> settings) {}
        Read read = database.read(c -> {
            boolean online = DoorStates.devices(c, tenantId, site.id()).online() > 0;
            return new Read(DoorStates.of(c, tenantId, site.id(), now, online), settings(c, tenantId, site.id()));
        });
        Map<String, Sent> unlocks = new HashMap<>();
        Optional<Sent> lockdown = Optional.empty();
        for (CommandView command : commands.list(tenantId, site.id(), Optional.empty(), RECENT_COMMANDS)
                .items()) {
            JsonNode action = command.action();
            String type = action.path("type").asText();
            Sent sent = new Sent(command.id(), type, command.status(), Instant.parse(command.issuedAt()));
            if (type.equals("unlock-once")) {
                unlocks.putIfAbsent(action.path("door").asText(), sent);
            } else if (lockdown.isEmpty()
                    && (type.equals("lockdown") || type.equals("release") || type.equals("emergency-release"))) {
                lockdown = Optional.of(sent);
            }
        }
        List<Door> doors = read.states().stream()
                .map(state ->
                        new Door(state, read.settings().get(state.id()), Optional.ofNullable(unlocks.get(state.id()))))
                .toList();
        return new Site(site.id(), site.name(), site.zone(), doors, lockdown);
    }

    private static Map<String, Settings> settings(Connection c, String tenantId, String siteId) throws SQLException {
        Map<String, Settings> settings = new HashMap<>();
        for (var entry : Sql.list(
                c,
                "SELECT id, unlock_seconds, untrusted_clock, offline_mode, offline_after_seconds, held_open_seconds,"
                        + " office_hours FROM doors WHERE tenant_id = ? AND site_id = ?",
                r -> {
                    long held = r.getLong(6);
                    Optional<Long> heldOpen = r.wasNull() ? Optional.empty() : Optional.of(held);
                    String hours = r.getString(7);
                    Optional<Integer> windows = Optional.ofNullable(hours).map(DoorBoard::windowCount);
                    return Map.entry(
                            r.getString(1),
                            new Settings(r.getInt(2), r.getString(3), r.getString(4), r.getLong(5), heldOpen, windows));
                },
                tenantId,
                siteId)) {
            settings.put(entry.getKey(), entry.getValue());
        }
        return settings;
    }
}
