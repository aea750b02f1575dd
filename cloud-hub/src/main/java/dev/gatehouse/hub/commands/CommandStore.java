package dev.gatehouse.hub.commands;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.CommandStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Commands and each device's answer, in the hub's store. A device's status is stored by its wire
 * name ({@code pending}, {@code done}, {@code not-here}, …), as the API shows it.
 */
public record CommandStore(Database database, Clock clock) {
    private static final String COLUMNS = "id, site_id, action, issued_at, expires_at";
    private static final Keyset NEWEST_FIRST = Keyset.descending("issued_at", "id");

    /** Stores a new command with a pending row for each device it is sent to. */
    void create(
            String tenantId,
            String id,
            String siteId,
            String actionJson,
            Instant issuedAt,
            Instant expiresAt,
            List<String> devices) {
        database.run(c -> {
            Sql.update(
                    c,
                    "INSERT INTO commands (" + COLUMNS + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?)",
                    id,
                    siteId,
                    actionJson,
                    issuedAt,
                    expiresAt,
                    tenantId);
            Sql.batch(
                    c,
                    "INSERT INTO command_devices (command_id, device_id, status) VALUES (?, ?, 'pending')",
                    devices.stream().map(device -> List.of(id, device)).toList());
        });
    }

    /** Whether {@code doorId} is a door of the tenant's site. */
    boolean doorOfSite(String tenantId, String siteId, String doorId) {
        return database.read(c -> Sql.exists(
                c, "SELECT 1 FROM doors WHERE id = ? AND tenant_id = ? AND site_id = ?", doorId, tenantId, siteId));
    }

    public Optional<CommandView> find(String tenantId, String id) {
        return database.read(c -> Sql.byId(c, "commands", COLUMNS, row -> view(c, row), tenantId, id));
    }

    /** The site's commands, newest first. */
    public Page<CommandView> list(String tenantId, String siteId, Optional<Cursor> after, int limit) {
        Query query = NEWEST_FIRST.page(
                new Query("SELECT " + COLUMNS + " FROM commands WHERE tenant_id = ? AND site_id = ?", tenantId, siteId),
                after,
                limit);
        List<CommandView> rows = database.read(c -> Sql.list(c, query, row -> view(c, row)));
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
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE command_devices SET status = ?, detail = ?, at = ? WHERE command_id = ? AND device_id = ?"
                                + " AND status = 'pending' AND EXISTS (SELECT 1 FROM commands"
                                + " WHERE commands.id = command_devices.command_id AND tenant_id = ? AND site_id = ?)",
                        WireNames.wire(status),
                        detail,
                        clock.instant(),
                        commandId,
                        deviceId,
                        tenantId,
                        siteId)
                == 1);
    }

    private CommandView view(Connection c, ResultSet rows) throws SQLException {
        String id = rows.getString(1);
        long expiresAt = rows.getLong(5);
        boolean expired = clock.millis() >= expiresAt;
        List<CommandView.DeviceStatus> devices = Sql.list(
                c,
                "SELECT device_id, status, detail, at FROM command_devices WHERE command_id = ? ORDER BY device_id",
                answer -> new CommandView.DeviceStatus(
                        answer.getString(1),
                        answer.getString(2).equals("pending") && expired ? "expired" : answer.getString(2),
                        answer.getString(3),
                        Sql.instant(answer, 4).map(Times::iso).orElse(null)),
                id);
        // A device without the command's doors answers "not-here"; the others decide the outcome.
        List<String> all =
                devices.stream().map(CommandView.DeviceStatus::status).toList();
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
                devices);
    }
}
