package dev.gatehouse.hub.projection;

import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.VisitorPassStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.members.SiteNames;
import dev.gatehouse.hub.plans.PlanGrants;
import dev.gatehouse.hub.sites.DoorGroupStore;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything one site's doors decide from, read from the hub's store as protocol entities: the
 * site, the tenant's signing keys, the site's doors and door groups, the schedules and grants of
 * the plans covering it, every member (with the display name only where the member has access
 * here, {@link SiteNames}) and credential of the tenant, and the site's visitor passes.
 *
 * <p>This is the state a site's change log leads to when replayed from seq 1 — with one exception:
 * a site's log starts when the site is created, so members and credentials that existed before then
 * are not in it. A new edge therefore starts from a snapshot of this projection, then follows the
 * log. Call inside {@code Database.read} (or a write, to see its own changes).
 */
public final class SiteProjection {
    private SiteProjection() {}

    /** The whole site, in a stable order; empty when the tenant has no such site. */
    public static Optional<List<Entity>> of(Connection c, String tenantId, String siteId) throws SQLException {
        Optional<Site> site = SiteStore.siteEntity(c, tenantId, siteId);
        if (site.isEmpty()) {
            return Optional.empty();
        }
        List<Entity> entities = new ArrayList<>();
        entities.add(site.get());
        entities.addAll(TenantStore.signingKeys(c, tenantId));
        addDoorsAndGroups(c, tenantId, siteId, entities);
        entities.addAll(SiteNames.entitiesAt(c, tenantId, siteId));
        entities.addAll(credentials(c, tenantId, Optional.empty()));
        entities.addAll(PlanGrants.entitiesAt(c, tenantId, siteId, Optional.empty()));
        entities.addAll(visitorPasses(c, tenantId, siteId));
        return Optional.of(List.copyOf(entities));
    }

    /**
     * What the policy engine needs to decide for one member at this site: the site, its doors and
     * door groups, the member, the member's credentials, and the schedules and grants of the
     * member's plans here. Empty when the tenant has no such site.
     */
    public static Optional<List<Entity>> forMember(Connection c, String tenantId, String siteId, String memberId)
            throws SQLException {
        Optional<Site> site = SiteStore.siteEntity(c, tenantId, siteId);
        if (site.isEmpty()) {
            return Optional.empty();
        }
        List<Entity> entities = new ArrayList<>();
        entities.add(site.get());
        addDoorsAndGroups(c, tenantId, siteId, entities);
        MemberStore.entity(c, tenantId, memberId).ifPresent(entities::add);
        entities.addAll(credentials(c, tenantId, Optional.of(memberId)));
        entities.addAll(PlanGrants.entitiesAt(c, tenantId, siteId, Optional.of(memberId)));
        return Optional.of(List.copyOf(entities));
    }

    private static void addDoorsAndGroups(Connection c, String tenantId, String siteId, List<Entity> entities)
            throws SQLException {
        for (String doorId :
                ids(c, "SELECT id FROM doors WHERE tenant_id = ? AND site_id = ? ORDER BY id", tenantId, siteId)) {
            DoorStore.doorEntity(c, tenantId, doorId).ifPresent(entities::add);
        }
        for (String groupId : ids(
                c, "SELECT id FROM door_groups WHERE tenant_id = ? AND site_id = ? ORDER BY id", tenantId, siteId)) {
            DoorGroupStore.groupEntity(c, tenantId, groupId).ifPresent(entities::add);
        }
    }

    private static List<String> ids(Connection c, String sql, String tenantId, String siteId) throws SQLException {
        return Sql.list(c, sql, Sql.STRING, tenantId, siteId);
    }

    /** The tenant's credentials by id, or one member's in the order they were enrolled. */
    public static List<Credential> credentials(Connection c, String tenantId, Optional<String> memberId)
            throws SQLException {
        Query query = new Query(
                        "SELECT " + CredentialStore.ENTITY_COLUMNS + " FROM credentials WHERE tenant_id = ?", tenantId)
                .andIf(memberId, "member_id = ?")
                .append(memberId.isPresent() ? " ORDER BY created_at, id" : " ORDER BY id");
        return Sql.list(c, query, CredentialStore::entity);
    }

    /** The site's visitor passes, by id. */
    public static List<VisitorPass> visitorPasses(Connection c, String tenantId, String siteId) throws SQLException {
        List<VisitorPass> passes = new ArrayList<>();
        for (String id : ids(
                c, "SELECT id FROM visitor_passes WHERE tenant_id = ? AND site_id = ? ORDER BY id", tenantId, siteId)) {
            VisitorPassStore.entity(c, tenantId, id).ifPresent(passes::add);
        }
        return passes;
    }
}
