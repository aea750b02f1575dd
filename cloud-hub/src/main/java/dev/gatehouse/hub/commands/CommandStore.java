package dev.gatehouse.hub.commands;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.CommandStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Commands and each device's answer, in the hub's store. */
public final class CommandStore {
    private static final String COLUMNS = "id, site_id, action, issued_at, expires_at";

    private final Database database;
    private final Clock clock;

    public CommandStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Stores a new command with a pending row for each device it is sent to. */
    void create(
            String tenantId,
            String id,
            String siteId,
            String actionJson,
            Instant issuedAt,
            Instant expiresAt,
            List<String> devices) {
        database.write(c -> {
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO commands (" + COLUMNS + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, siteId);
                insert.setString(3, actionJson);
                insert.setLong(4, issuedAt.toEpochMilli());
                insert.setLong(5, expiresAt.toEpochMilli());
                insert.setString(6, tenantId);
                insert.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO command_devices (command_id, device_id, status) VALUES (?, ?, 'pending')")) {
                for (String device : devices) {
                    insert.setString(1, id);
                    insert.setString(2, device);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    /** Whether {@code doorId} is a door of the tenant's site. */
    boolean doorOfSite(String tenantId, String siteId, String doorId) {
        return database.read(c -> {
            try (PreparedStatement statement =
                    c.prepareStatement("SELECT 1 FROM doors WHERE id = ? AND tenant_id = ? AND site_id = ?")) {
                statement.setString(1, doorId);
                statement.setString(2, tenantId);
                statement.setString(3, siteId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    public Optional<CommandView> find(String tenantId, String id) {
        return database.read(c -> {
            try (PreparedStatement statement =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM commands WHERE id = ? AND tenant_id = ?")) {
                statement.setString(1, id);
                statement.setString(2, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(view(c, rows)) : Optional.empty();
                }
            }
        });
    }

    /** The site's commands, newest first. */
    public Page<CommandView> list(String tenantId, String siteId, Optional<Cursor> after, int limit) {
        List<CommandView> rows = database.read(c -> {
            List<CommandView> views = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM commands WHERE tenant_id = ? AND site_id = ?"
                    + (after.isPresent() ? " AND (issued_at < ? OR (issued_at = ? AND id < ?))" : "")
                    + " ORDER BY issued_at DESC, id DESC LIMIT ?")) {
                int i = 0;
                statement.setString(++i, tenantId);
                statement.setString(++i, siteId);
                if (after.isPresent()) {
                    statement.setLong(++i, after.get().key());
                    statement.setLong(++i, after.get().key());
                    statement.setString(++i, after.get().id());
                }
                statement.setInt(++i, limit + 1);
                try (ResultSet rows2 = statement.executeQuery()) {
                    while (rows2.next()) {
                        views.add(view(c, rows2));
                    }
                }
            }
            return views;
        });
        return Keyset.page(
                rows, limit, view -> new Cursor(Instant.parse(view.issuedAt()).toEpochMilli(), view.id()));
    }

    /**
     * Records a device's answer to a command of its own tenant and site, once: a pending row becomes
     * done, rejected, expired or not-here; a later answer changes nothing. False when there is no such row.
     */
    public boolean acknowledge(
            String tenantId,
            String siteId,
            String deviceId,
            String commandId,
            CommandStatus status,
            Optional<String> detail) {
        return database.write(c -> {
            try (PreparedStatement update =
                    c.prepareStatement("UPDATE command_devices SET status = ?, detail = ?, at = ?"
                            + " WHERE command_id = ? AND device_id = ? AND status = 'pending' AND EXISTS (SELECT 1 FROM commands"
                            + " WHERE commands.id = command_devices.command_id AND tenant_id = ? AND site_id = ?)")) {
                update.setString(1, status.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                update.setString(2, detail.orElse(null));
                update.setLong(3, clock.millis());
                update.setString(4, commandId);
                update.setString(5, deviceId);
                update.setString(6, tenantId);
                update.setString(7, siteId);
                return update.executeUpdate() == 1;
            }
        });
    }

    private CommandView view(Connection c, ResultSet rows) throws SQLException {
        String id = rows.getString(1);
        long expiresAt = rows.getLong(5);
        boolean expired = clock.millis() >= expiresAt;
        Map<String, CommandView.DeviceStatus> devices = new LinkedHashMap<>();
        try (PreparedStatement statement = c.prepareStatement(
                "SELECT device_id, status, detail, at FROM command_devices WHERE command_id = ? ORDER BY device_id")) {
            statement.setString(1, id);
            try (ResultSet answers = statement.executeQuery()) {
                while (answers.next()) {
                    String status = answers.getString(2);
                    if (status.equals("pending") && expired) {
                        status = "expired";
                    }
                    long at = answers.getLong(4);
                    boolean answered = !answers.wasNull();
                    devices.put(
                            answers.getString(1),
                            new CommandView.DeviceStatus(
                                    answers.getString(1),
                                    status,
                                    answers.getString(3),
                                    answered ? Times.iso(at) : null));
                }
            }
        }
        // A device without the command's doors answers "not-here"; the others decide the outcome.
        List<String> all =
                devices.values().stream().map(CommandView.DeviceStatus::status).toList();
        List<String> statuses =
                all.stream().filter(status -> !status.equals("not-here")).toList();
        String overall;
        if (!all.isEmpty() && statuses.isEmpty()) {
            overall = "rejected"; // no device at the site has the named doors
        } else if (statuses.contains("rejected")) {
            overall = "rejected";
        } else if (statuses.contains("pending") || (statuses.isEmpty() && !expired)) {
            overall = "pending";
        } else if (!statuses.isEmpty() && statuses.stream().allMatch("done"::equals)) {
            overall = "done";
        } else {
            overall = "expired";
        }
        return new CommandView(
                id,
                rows.getString(2),
                CommandActions.parse(rows.getString(3)),
                Times.iso(rows.getLong(4)),
                Times.iso(expiresAt),
                overall,
                List.copyOf(devices.values()));
    }
}
