package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.GrantBasis;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The uses of visitor passes the edges report ({@code visitor_pass_uses}), and a single-use pass
 * spent for the whole site on the first of them: the pass goes to every edge of its site as
 * {@code used}. Call inside a {@code Database} transaction.
 */
public final class VisitorPassUses {
    private VisitorPassUses() {}

    /**
     * Records the use a newly stored access event reports, in the caller's transaction: a grant by a
     * visitor pass of this tenant at this site (basis {@code visitor-pass}). Each event once; the first
     * use of a single-use pass marks it used (and frees its PIN) and sends it to the site's edges.
     */
    public static void record(
            Connection c, String tenantId, String siteId, String deviceId, Envelope event, Instant now)
            throws SQLException {
        AccessEvent access = event.payloadAs(AccessEvent.class);
        if (!access.granted()
                || access.basis().orElseThrow() != GrantBasis.VISITOR_PASS
                || access.pass().isEmpty()) {
            return;
        }
        String passId = access.pass().get().value();
        Optional<Boolean> singleUse = Sql.one(
                c,
                "SELECT single_use FROM visitor_passes WHERE id = ? AND tenant_id = ? AND site_id = ?",
                rows -> rows.getBoolean(1),
                passId,
                tenantId,
                siteId);
        if (singleUse.isEmpty()) {
            return; // not a pass of this site: an edge cannot spend another site's pass
        }
        int inserted = Sql.update(
                c,
                "INSERT INTO visitor_pass_uses (tenant_id, pass_id, device_id, event_id, site_id, door_id, presented,"
                        + " at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, pass_id, device_id, event_id) DO NOTHING",
                tenantId,
                passId,
                deviceId,
                event.id(),
                siteId,
                access.door().value(),
                WireNames.wire(access.presented()),
                event.time(),
                now);
        if (inserted == 0) {
            return;
        }
        int first = Sql.update(
                c,
                "UPDATE visitor_passes SET used_at = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND used_at IS NULL",
                event.time(),
                now,
                passId,
                tenantId);
        if (first == 1) {
            VisitorPassStore.emit(
                    c,
                    tenantId,
                    EventType.VISITOR_ARRIVED,
                    passId,
                    Optional.empty(),
                    Optional.of(access.door().value()),
                    now);
        }
        if (first == 1 && singleUse.get()) {
            // Spent: every edge of the site learns it is used. It keeps its PIN until it ends, so that
            // a kiosk says "already used" rather than "unknown PIN".
            VisitorPassStore.sendToSite(c, tenantId, siteId, passId, now);
        }
    }

    /** How many uses the edges reported of the pass. */
    static int count(Connection c, String tenantId, String passId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT COUNT(*) FROM visitor_pass_uses WHERE tenant_id = ? AND pass_id = ?",
                        Sql.LONG,
                        tenantId,
                        passId)
                .orElse(0L)
                .intValue();
    }
}
