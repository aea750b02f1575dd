package dev.gatehouse.hub.external;

import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.plans.PlanAssignmentStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.model.MemberStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Access given by another platform (a coworking platform that keeps its own members and billing):
 * each of its people, named by the platform ({@code system}) and its own id, is linked to one
 * Gatehouse member; a state sent for that person says which plans they hold and until when, and
 * replaces the previous one. Only the plans a link gave are ever taken away again.
 *
 * <p>A state is applied in one transaction or not at all. States carry the platform's version (its
 * timestamp or counter): an older or repeated one changes nothing, so a late retry or deliveries out
 * of order never undo a newer change.
 */
public record ExternalAccessStore(Database database, Clock clock) {
    /** A plan the platform gives, until {@code validUntil} (absent: until taken away). */
    public record Wanted(String planId, Optional<Instant> validUntil) {}

    /** The whole state of one person as the platform sees it now. */
    public record Desired(String email, String fullName, List<Wanted> plans, Optional<Long> version) {
        public Desired {
            plans = List.copyOf(plans);
        }
    }

    /** A plan held through the link. */
    public record PlanAccess(String planId, String planName, String validUntil) {}

    /**
     * A link as the API shows it: the member, the plans it gave, the plans the state named that the
     * member holds otherwise (left as they are), and whether this call changed anything.
     */
    public record LinkView(
            String system,
            String externalId,
            String memberId,
            Long version,
            List<PlanAccess> plans,
            List<String> heldOtherwise,
            String updatedAt,
            boolean applied) {
        public LinkView {
            plans = List.copyOf(plans);
            heldOtherwise = List.copyOf(heldOtherwise);
        }
    }

    /** A plan another platform can map its items to (Nexudus calls them access groups). */
    public record AccessGroup(String id, String name) {}

    private record Link(String memberId, Optional<Long> version) {}

    /** Rolls a half-applied state back and answers its refusal. */
    private static final class Undo extends RuntimeException {
        private final transient StoreResult<LinkView> result;

        Undo(StoreResult<LinkView> result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    /** The tenant's plans that open doors, by id: what another platform's items can map to. */
    public List<AccessGroup> accessGroups(String tenantId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT p.id, p.name FROM plans p WHERE p.tenant_id = ?"
                        + " AND EXISTS (SELECT 1 FROM plan_door_groups g WHERE g.plan_id = p.id) ORDER BY p.name, p.id",
                row -> new AccessGroup(row.getString(1), row.getString(2)),
                tenantId));
    }

    /** The link of the platform's person; NotFound when there is none. */
    public StoreResult<LinkView> find(String tenantId, String system, String externalId) {
        return database.read(c -> {
            Optional<Link> link = link(c, tenantId, system, externalId);
            if (link.isEmpty()) {
                return notFound(system, externalId);
            }
            return StoreResult.found(view(c, tenantId, system, externalId, link.get(), List.of(), true));
        });
    }

    /**
     * Applies the person's state: links (or makes) the member, brings name and e-mail up to date, gives
     * the plans named until their ends and takes away the plans the link gave that are no longer named.
     * Invalid for a plan that is not the tenant's or opens no door; Conflict for a cancelled member or an
     * e-mail another member (or another of the platform's people) has.
     */
    public StoreResult<LinkView> apply(
            String tenantId, String actor, String system, String externalId, Desired desired) {
        Instant now = clock.instant();
        try {
            return database.write(c -> apply(c, tenantId, actor, system, externalId, desired, now));
        } catch (Undo undo) {
            return undo.result;
        }
    }

    private static StoreResult<LinkView> apply(
            Connection c, String tenantId, String actor, String system, String externalId, Desired desired, Instant now)
            throws SQLException {
        List<FieldError> unknown = new ArrayList<>();
        for (int i = 0; i < desired.plans().size(); i++) {
            String planId = desired.plans().get(i).planId();
            if (!Sql.exists(
                    c,
                    "SELECT 1 FROM plans p WHERE p.tenant_id = ? AND p.id = ?"
                            + " AND EXISTS (SELECT 1 FROM plan_door_groups g WHERE g.plan_id = p.id)",
                    tenantId,
                    planId)) {
                unknown.add(new FieldError(
                        "plans[" + i + "]",
                        "'" + planId + "' is not a plan of this tenant that opens a door; map the item to one of"
                                + " the access groups listed by GET /api/v1/integrations/nexudus/access-groups"));
            }
        }
        if (!unknown.isEmpty()) {
            return new StoreResult.Invalid<>(unknown);
        }
        Optional<Link> existing = link(c, tenantId, system, externalId);
        if (existing.isPresent()) {
            Optional<Long> applied = existing.get().version();
            if (desired.version().isPresent()
                    && applied.isPresent()
                    && desired.version().get() <= applied.get()) {
                return StoreResult.found(view(c, tenantId, system, externalId, existing.get(), List.of(), false));
            }
        }
        String memberId;
        if (existing.isPresent()) {
            memberId = existing.get().memberId();
            StoreResult<MemberStore.MemberView> updated = MemberStore.update(
                    c,
                    tenantId,
                    actor,
                    memberId,
                    before -> new MemberStore.MemberInput(
                            desired.email(),
                            desired.fullName(),
                            before.phone(),
                            before.company(),
                            before.roles(),
                            before.status()),
                    now);
            if (!(updated instanceof StoreResult.Found<MemberStore.MemberView>)) {
                return updated.map(view -> (LinkView) null);
            }
        } else {
            Optional<String> byEmail = MemberStore.byEmail(c, tenantId, desired.email());
            if (byEmail.isPresent()) {
                Optional<String> other = Sql.one(
                        c,
                        "SELECT external_id FROM external_members WHERE tenant_id = ? AND system = ? AND member_id = ?",
                        Sql.STRING,
                        tenantId,
                        system,
                        byEmail.get());
                if (other.isPresent()) {
                    return new StoreResult.Conflict<>("member " + byEmail.get() + " with e-mail " + desired.email()
                            + " is already linked to " + system + " id '" + other.get() + "'; one member is one"
                            + " person of the platform");
                }
                memberId = byEmail.get();
            } else {
                memberId = MemberStore.create(c, tenantId, actor, desired.email(), desired.fullName(), now);
            }
            Sql.update(
                    c,
                    "INSERT INTO external_members (tenant_id, system, external_id, member_id, version, created_at,"
                            + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    tenantId,
                    system,
                    externalId,
                    memberId,
                    desired.version().orElse(null),
                    now,
                    now);
        }
        if (MemberStore.status(c, tenantId, memberId).orElseThrow() == MemberStatus.CANCELLED) {
            throw new Undo(new StoreResult.Conflict<>("member " + memberId + " (" + desired.email()
                    + ") is cancelled, and a cancellation is final; cancelled members get no access"));
        }
        Sql.update(
                c,
                "UPDATE external_members SET version = ?, updated_at = ?"
                        + " WHERE tenant_id = ? AND system = ? AND external_id = ?",
                desired.version().orElse(null),
                now,
                tenantId,
                system,
                externalId);
        Set<String> owned = new HashSet<>(owned(c, tenantId, system, externalId));
        Set<String> held = new HashSet<>(Sql.list(
                c,
                "SELECT plan_id FROM member_plans WHERE tenant_id = ? AND member_id = ?",
                Sql.STRING,
                tenantId,
                memberId));
        Set<String> named = new LinkedHashSet<>();
        List<String> heldOtherwise = new ArrayList<>();
        for (Wanted wanted : desired.plans()) {
            named.add(wanted.planId());
            if (held.contains(wanted.planId()) && !owned.contains(wanted.planId())) {
                heldOtherwise.add(wanted.planId());
                continue;
            }
            StoreResult<PlanAssignmentStore.Assigned> assigned = PlanAssignmentStore.assign(
                    c, tenantId, actor, memberId, wanted.planId(), Optional.empty(), wanted.validUntil(), now);
            if (!(assigned instanceof StoreResult.Found<PlanAssignmentStore.Assigned>)) {
                throw new Undo(assigned.map(a -> (LinkView) null));
            }
            if (owned.add(wanted.planId())) {
                Sql.update(
                        c,
                        "INSERT INTO external_plans (tenant_id, system, external_id, plan_id) VALUES (?, ?, ?, ?)",
                        tenantId,
                        system,
                        externalId,
                        wanted.planId());
            }
        }
        for (String planId : owned) {
            if (!named.contains(planId)) {
                PlanAssignmentStore.unassign(c, tenantId, actor, memberId, planId, now);
                Sql.update(
                        c,
                        "DELETE FROM external_plans WHERE tenant_id = ? AND system = ? AND external_id = ? AND plan_id = ?",
                        tenantId,
                        system,
                        externalId,
                        planId);
            }
        }
        Link link = link(c, tenantId, system, externalId).orElseThrow();
        return StoreResult.found(view(c, tenantId, system, externalId, link, heldOtherwise, true));
    }

    /**
     * Takes away every plan the link gave and ends the link; the member stays (with their history and
     * events). NotFound when there is no such link.
     */
    public StoreResult<LinkView> remove(String tenantId, String actor, String system, String externalId) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<Link> link = link(c, tenantId, system, externalId);
            if (link.isEmpty()) {
                return notFound(system, externalId);
            }
            LinkView before = view(c, tenantId, system, externalId, link.get(), List.of(), true);
            for (String planId : owned(c, tenantId, system, externalId)) {
                PlanAssignmentStore.unassign(c, tenantId, actor, link.get().memberId(), planId, now);
            }
            Sql.update(
                    c,
                    "DELETE FROM external_members WHERE tenant_id = ? AND system = ? AND external_id = ?",
                    tenantId,
                    system,
                    externalId);
            return StoreResult.found(before);
        });
    }

    /** Whether any member of the tenant is linked to another platform (one index probe). */
    public static boolean anyLinks(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM external_members WHERE tenant_id = ? LIMIT 1", Sql.LONG, tenantId)
                .isPresent();
    }

    /** The platform's ids of the member, by platform; empty when the member is linked to none. */
    public static List<String[]> externalIds(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.list(
                c,
                "SELECT system, external_id FROM external_members WHERE tenant_id = ? AND member_id = ?"
                        + " ORDER BY system",
                row -> new String[] {row.getString(1), row.getString(2)},
                tenantId,
                memberId);
    }

    private static StoreResult<LinkView> notFound(String system, String externalId) {
        return new StoreResult.NotFound<>(system + " person", externalId);
    }

    private static Optional<Link> link(Connection c, String tenantId, String system, String externalId)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT member_id, version FROM external_members WHERE tenant_id = ? AND system = ? AND external_id = ?",
                row -> new Link(row.getString(1), Sql.instant(row, 2).map(Instant::toEpochMilli)),
                tenantId,
                system,
                externalId);
    }

    private static List<String> owned(Connection c, String tenantId, String system, String externalId)
            throws SQLException {
        return Sql.list(
                c,
                "SELECT plan_id FROM external_plans WHERE tenant_id = ? AND system = ? AND external_id = ?"
                        + " ORDER BY plan_id",
                Sql.STRING,
                tenantId,
                system,
                externalId);
    }

    private static LinkView view(
            Connection c,
            String tenantId,
            String system,
            String externalId,
            Link link,
            List<String> heldOtherwise,
            boolean applied)
            throws SQLException {
        List<PlanAccess> plans = Sql.list(
                c,
                "SELECT mp.plan_id, p.name, mp.valid_until FROM external_plans x"
                        + " JOIN member_plans mp ON mp.plan_id = x.plan_id AND mp.tenant_id = x.tenant_id"
                        + " AND mp.member_id = ?"
                        + " JOIN plans p ON p.id = mp.plan_id"
                        + " WHERE x.tenant_id = ? AND x.system = ? AND x.external_id = ? ORDER BY mp.plan_id",
                row -> new PlanAccess(
                        row.getString(1),
                        row.getString(2),
                        Sql.instant(row, 3).map(Times::iso).orElse(null)),
                link.memberId(),
                tenantId,
                system,
                externalId);
        String updatedAt = Sql.one(
                        c,
                        "SELECT updated_at FROM external_members WHERE tenant_id = ? AND system = ? AND external_id = ?",
                        Sql.LONG,
                        tenantId,
                        system,
                        externalId)
                .map(Times::iso)
                .orElseThrow();
        return new LinkView(
                system,
                externalId,
                link.memberId(),
                link.version().orElse(null),
                plans,
                heldOtherwise,
                updatedAt,
                applied);
    }
}
