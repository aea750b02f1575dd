package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.members.SiteNames;
import dev.gatehouse.hub.sites.EdgeFeatures;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.VisitorPass;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Visitor passes (and members' display names) as a site's edges can read them: status {@code used} only where every active edge
 * reports {@link VisitorPass#USED_FEATURE} (elsewhere {@code revoked}: refused there too, fail closed),
 * and {@code pinHash} only where every one reports {@link VisitorPass#PIN_FEATURE} (elsewhere the
 * pass without it: the QR code works, the PIN does not). A member's {@code displayName}, for the
 * kiosk's host list, only where every one reports {@link Member#NAMES_FEATURE} (elsewhere the member
 * without it, the first version's form).
 */
public final class VisitorPassForms {
    private VisitorPassForms() {}

    /** What the site's active edges all read. */
    public record Reads(boolean used, boolean pins, boolean names) {
        static final Reads ALL = new Reads(true, true, true);
    }

    public static Reads reads(Connection c, String tenantId, String siteId) throws SQLException {
        return new Reads(
                EdgeFeatures.siteReads(c, tenantId, siteId, VisitorPass.USED_FEATURE),
                EdgeFeatures.siteReads(c, tenantId, siteId, VisitorPass.PIN_FEATURE),
                EdgeFeatures.siteReads(c, tenantId, siteId, Member.NAMES_FEATURE));
    }

    /** Whether a change carries a form some edges cannot read: a used pass, or a pass with a PIN hash. */
    public static boolean isExtended(Change change) {
        return change instanceof Change.Upsert upsert && isExtended(upsert.entity());
    }

    private static boolean isExtended(Entity entity) {
        return (entity instanceof VisitorPass pass
                        && (pass.status() == PassStatus.USED || pass.pinHash().isPresent()))
                || (entity instanceof Member member && member.displayName().isPresent());
    }

    /** The change as the site's edges read it. */
    public static Change forSite(Change change, Reads reads) {
        return change instanceof Change.Upsert upsert && isExtended(upsert.entity())
                ? new Change.Upsert(forSite(upsert.entity(), reads))
                : change;
    }

    /** The entities as the site's edges read them. */
    public static List<Entity> forSite(List<Entity> entities, Reads reads) {
        if (reads.equals(Reads.ALL)) {
            return entities;
        }
        List<Entity> read = new ArrayList<>(entities.size());
        for (Entity entity : entities) {
            read.add(forSite(entity, reads));
        }
        return read;
    }

    private static Entity forSite(Entity entity, Reads reads) {
        if (entity instanceof Member member) {
            return reads.names() ? member : member.withoutName();
        }
        if (!(entity instanceof VisitorPass pass)) {
            return entity;
        }
        VisitorPass read = pass;
        if (!reads.used() && read.status() == PassStatus.USED) {
            read = read.withStatus(PassStatus.REVOKED);
        }
        if (!reads.pins() && read.pinHash().isPresent()) {
            read = read.withoutPin();
        }
        return read;
    }

    /**
     * The site's members with a display name (those with access there, {@link SiteNames}): what a site
     * gets again once its last edge without names reads them.
     */
    public static List<Entity> withNames(Connection c, String tenantId, String siteId) throws SQLException {
        return List.copyOf(SiteNames.namedMembersAt(c, tenantId, siteId));
    }

    /** The site's passes that carry a PIN: what it gets again once its last edge without PINs reads them. */
    public static List<Entity> withPins(Connection c, String tenantId, String siteId) throws SQLException {
        List<Entity> passes = new ArrayList<>();
        for (String id : Sql.list(
                c,
                "SELECT id FROM visitor_passes WHERE tenant_id = ? AND site_id = ? AND pin_hash IS NOT NULL ORDER BY id",
                Sql.STRING,
                tenantId,
                siteId)) {
            VisitorPassStore.entity(c, tenantId, id).ifPresent(passes::add);
        }
        return passes;
    }
}
