package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.credentials.CredentialViews.PassView;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Visitors' personal data (issue 17 item 3, research K7): kept for the tenant's retention period
 * after a pass ends (default {@value #DEFAULT_DAYS} days), then anonymised by a daily sweep; exported
 * or erased for one visitor in one call. Anonymising keeps the pass row and its door uses, so the
 * access log still says a visitor came in, but no longer who.
 */
public record VisitorPrivacyStore(Database database, Clock clock) {
    public static final int DEFAULT_DAYS = 30;
    public static final int MAX_DAYS = 3650;

    /** What an anonymised pass shows instead of the visitor's name. */
    public static final String ANONYMISED = "anonymised visitor";

    public int retentionDays(String tenantId) {
        return database.read(
                c -> Sql.one(c, "SELECT visitor_retention_days FROM tenants WHERE id = ?", Sql.LONG, tenantId)
                        .orElse((long) DEFAULT_DAYS)
                        .intValue());
    }

    public void setRetentionDays(String tenantId, int days) {
        database.run(c -> Sql.update(c, "UPDATE tenants SET visitor_retention_days = ? WHERE id = ?", days, tenantId));
    }

    /**
     * Anonymises every visitor whose pass ended longer ago than their tenant's retention period;
     * answers how many. Idempotent: an anonymised pass is never touched again.
     */
    public int sweep() {
        Instant now = clock.instant();
        return database.write(c -> {
            List<String[]> due = Sql.list(
                    c,
                    "SELECT p.id, p.tenant_id FROM visitor_passes p JOIN tenants t ON t.id = p.tenant_id"
                            + " WHERE p.anonymised_at IS NULL"
                            + " AND p.valid_until + CAST(t.visitor_retention_days AS BIGINT) * 86400000 <= ?"
                            + " ORDER BY p.id",
                    rows -> new String[] {rows.getString(1), rows.getString(2)},
                    now);
            for (String[] pass : due) {
                anonymise(c, pass[1], pass[0], now);
            }
            return due.size();
        });
    }

    /** Replaces the visitor's name and e-mail (and frees the PIN, telling the edges); in the caller's transaction. */
    public static void anonymise(Connection c, String tenantId, String passId, Instant now) throws SQLException {
        boolean heldPin = Sql.one(
                        c,
                        "SELECT 1 FROM visitor_passes WHERE id = ? AND tenant_id = ? AND pin_hash IS NOT NULL",
                        Sql.LONG,
                        passId,
                        tenantId)
                .isPresent();
        Sql.update(
                c,
                "UPDATE visitor_passes SET visitor_name = ?, visitor_email = NULL, pin_hash = NULL, anonymised_at = ?,"
                        + " updated_at = ? WHERE id = ? AND tenant_id = ?",
                ANONYMISED,
                now,
                now,
                passId,
                tenantId);
        if (heldPin) {
            String siteId = Sql.byId(c, "visitor_passes", "site_id", Sql.STRING, tenantId, passId)
                    .orElseThrow();
            VisitorPassStore.sendToSite(c, tenantId, siteId, passId, now);
        }
    }

    /** Everything held about the pass's visitor: the pass and every use of it the edges reported. */
    public Optional<Map<String, Object>> export(String tenantId, PassView pass) {
        return database.read(c -> {
            Map<String, Object> export = new LinkedHashMap<>();
            export.put("pass", pass);
            export.put(
                    "anonymisedAt",
                    Sql.one(
                                    c,
                                    "SELECT anonymised_at FROM visitor_passes WHERE id = ? AND tenant_id = ?"
                                            + " AND anonymised_at IS NOT NULL",
                                    Sql.LONG,
                                    pass.id(),
                                    tenantId)
                            .map(Times::iso)
                            .orElse(null));
            export.put(
                    "uses",
                    Sql.list(
                            c,
                            "SELECT at, door_id, device_id, presented, event_id FROM visitor_pass_uses"
                                    + " WHERE tenant_id = ? AND pass_id = ? ORDER BY at, event_id",
                            rows -> {
                                Map<String, Object> use = new LinkedHashMap<>();
                                use.put("at", Times.iso(rows.getLong(1)));
                                use.put("doorId", rows.getString(2));
                                use.put("deviceId", rows.getString(3));
                                use.put("presented", rows.getString(4));
                                use.put("eventId", rows.getString(5));
                                return use;
                            },
                            tenantId,
                            pass.id()));
            export.put("retentionDays", retentionOf(c, tenantId));
            return Optional.of(export);
        });
    }

    private static int retentionOf(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT visitor_retention_days FROM tenants WHERE id = ?", Sql.LONG, tenantId)
                .orElse((long) DEFAULT_DAYS)
                .intValue();
    }

    /** Anonymises the pass's visitor now (the pass, if still active, is revoked first by the caller). */
    public StoreResult<Boolean> erase(String tenantId, String passId) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (Sql.byId(c, "visitor_passes", "id", Sql.STRING, tenantId, passId)
                    .isEmpty()) {
                return new StoreResult.NotFound<>("visitor pass", passId);
            }
            anonymise(c, tenantId, passId, now);
            return StoreResult.found(true);
        });
    }
}
