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
            arrived(
                    c,
                    tenantId,
                    siteId,
                    passId,
                    singleUse.get(),
                    Optional.of(access.door().value()),
                    now);
        }
    }

    /** The first use of a pass: {@code visitor.arrived}, and a single-use pass spent at every edge of the site. */
    private static void arrived(
            Connection c,
            String tenantId,
            String siteId,
            String passId,
            boolean singleUse,
            Optional<String> door,
            Instant now)
            throws SQLException {
        VisitorPassStore.emit(c, tenantId, EventType.VISITOR_ARRIVED, passId, Optional.empty(), door, now);
        if (singleUse) {
            // Spent: every edge of the site learns it is used. It keeps its PIN until it ends, so that
            // a kiosk says "already used" rather than "unknown PIN".
            VisitorPassStore.sendToSite(c, tenantId, siteId, passId, now);
        }
    }

    /**
     * A pass's PIN typed at the kiosk the hub serves for a site without an edge (device {@code hub},
     * no door: {@code door_id} names the kiosk), in the caller's transaction. A single-use pass already
     * used is refused (false, nothing written): the conditional update makes two kiosks typing it at
     * once spend it once. The pass's site must be {@code siteId} (the caller found it by the site's PIN).
     */
    public static boolean spendAtHubKiosk(
            Connection c,
            String tenantId,
            String siteId,
            String passId,
            boolean singleUse,
            String kioskId,
            String eventId,
            Instant now)
            throws SQLException {
        int first = Sql.update(
                c,
                "UPDATE visitor_passes SET used_at = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND site_id = ?"
                        + " AND used_at IS NULL",
                now,
                now,
                passId,
                tenantId,
                siteId);
        if (singleUse && first == 0) {
            return false;
        }
        Sql.update(
                c,
                "INSERT INTO visitor_pass_uses (tenant_id, pass_id, device_id, event_id, site_id, door_id, presented,"
                        + " at, received_at) VALUES (?, ?, 'hub', ?, ?, ?, ?, ?, ?)",
                tenantId,
                passId,
                eventId,
                siteId,
                "kiosk:" + kioskId,
                WireNames.wire(dev.gatehouse.protocol.model.PresentedKind.VISITOR_PIN),
                now,
                now);
        if (first == 1) {
            arrived(c, tenantId, siteId, passId, singleUse, Optional.empty(), now);
        }
        return true;
    }

    /** A pass as the hub's kiosk checks a PIN against it. */
    public record PinPass(
            String id,
            Optional<String> hostMemberId,
            String visitorName,
            Optional<String> visitorEmail,
            Instant validFrom,
            Instant validUntil,
            boolean singleUse,
            boolean revoked,
            boolean used) {}

    /**
     * The site's pass whose PIN is {@code pin} (6 digits), found by the PIN's keyed hash: a pass holds
     * its PIN until it is revoked or ends (a used single-use pass keeps it, so the kiosk can say
     * "already used"). Empty for any other PIN, including another site's or another tenant's.
     */
    public static Optional<PinPass> byPin(
            Connection c, dev.gatehouse.hub.secrets.MasterKey key, String tenantId, String siteId, String pin)
            throws SQLException {
        if (pin == null || !pin.matches("[0-9]{6}")) {
            return Optional.empty();
        }
        String hash = new dev.gatehouse.protocol.card.CardHasher(
                        dev.gatehouse.hub.tenants.TenantStore.cardKey(c, key, tenantId))
                .pinHash(siteId, pin);
        return Sql.one(
                c,
                "SELECT id, host_member_id, visitor_name, visitor_email, valid_from, valid_until, single_use, status,"
                        + " used_at FROM visitor_passes WHERE tenant_id = ? AND site_id = ? AND pin_hash = ?",
                row -> new PinPass(
                        row.getString(1),
                        Optional.ofNullable(row.getString(2)),
                        row.getString(3),
                        Optional.ofNullable(row.getString(4)),
                        Sql.instant(row, 5).orElseThrow(),
                        Sql.instant(row, 6).orElseThrow(),
                        row.getBoolean(7),
                        "REVOKED".equals(row.getString(8)),
                        Sql.instant(row, 9).isPresent()),
                tenantId,
                siteId,
                hash);
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
