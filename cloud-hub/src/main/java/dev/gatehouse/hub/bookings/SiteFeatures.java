package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.credentials.VisitorPassForms;
import dev.gatehouse.hub.plans.PassDays;
import dev.gatehouse.hub.wifi.WifiVoucherStore;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Entity;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * What every active edge of a site reads beyond the protocol's first version (bookings-v2, rooms,
 * entry-passes, visitor-pins, member-names), and the catch-up when that grows: while one edge cannot read a form, the site gets a
 * form it can (bookings without their new fields, rooms as no-ops, entry-limited grants as removals);
 * once the last such edge is upgraded or
 * retired, the site gets those entities again whole.
 */
public final class SiteFeatures {
    private static final Logger LOG = Logger.getLogger(SiteFeatures.class.getName());

    private SiteFeatures() {}

    /** What the site's edges read now; take it before a change to the site's devices. */
    public record Reads(
            boolean bookingsV2,
            boolean rooms,
            boolean entryPasses,
            boolean visitorPins,
            boolean kioskSupplies,
            boolean memberNames) {}

    public static Reads reads(Connection c, String tenantId, String siteId) throws SQLException {
        return new Reads(
                BookingEntities.siteReadsV2(c, tenantId, siteId),
                RoomControllers.siteReads(c, tenantId, siteId),
                PassDays.siteReads(c, tenantId, siteId),
                VisitorPassForms.reads(c, tenantId, siteId).pins(),
                AgreementStore.siteReads(c, tenantId, siteId),
                VisitorPassForms.reads(c, tenantId, siteId).names());
    }

    /**
     * After a change to the site's devices (a state reporting features, a device retired): sends the
     * site again, in the same transaction, what it can read now and could not {@code before}.
     */
    public static void catchUp(Connection c, String tenantId, String siteId, Reads before, Instant now)
            throws SQLException {
        Reads after = reads(c, tenantId, siteId);
        if (!before.bookingsV2() && after.bookingsV2()) {
            resend(c, tenantId, siteId, BookingEntities.live(c, tenantId, siteId, now), "bookings (bookings-v2)", now);
        }
        if (!before.rooms() && after.rooms()) {
            resend(c, tenantId, siteId, RoomControllers.live(c, tenantId, siteId), "rooms (room-config)", now);
        }
        if (!before.entryPasses() && after.entryPasses()) {
            resend(c, tenantId, siteId, PassDays.live(c, tenantId, siteId), "entry-limited grants (entry-passes)", now);
        }
        if (!before.visitorPins() && after.visitorPins()) {
            resend(
                    c,
                    tenantId,
                    siteId,
                    VisitorPassForms.withPins(c, tenantId, siteId),
                    "visitor passes with PINs (visitor-pins)",
                    now);
        }
        if (!before.kioskSupplies() && after.kioskSupplies()) {
            List<Entity> supplies = new java.util.ArrayList<>(AgreementStore.live(c, tenantId, siteId));
            supplies.addAll(WifiVoucherStore.live(c, tenantId, siteId));
            resend(c, tenantId, siteId, supplies, "the agreement and wifi vouchers (kiosk-supplies)", now);
            WifiVoucherStore.allocate(c, tenantId, siteId, now);
        }
        if (!before.memberNames() && after.memberNames()) {
            resend(
                    c,
                    tenantId,
                    siteId,
                    VisitorPassForms.withNames(c, tenantId, siteId),
                    "members with their display names (member-names)",
                    now);
        }
    }

    private static void resend(
            Connection c, String tenantId, String siteId, List<? extends Entity> entities, String what, Instant now)
            throws SQLException {
        if (entities.isEmpty()) {
            return;
        }
        ChangeLog.append(
                c,
                tenantId,
                siteId,
                entities.stream().<Change>map(Change.Upsert::new).toList(),
                now);
        LOG.info("every edge of site " + siteId + " now reads them: sent " + entities.size() + " " + what + " again");
    }
}
