package dev.gatehouse.hub.plans;

import dev.gatehouse.hub.sites.EdgeFeatures;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantBasis;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The days entry-limited plans (passes, {@code member_plans.entries}) have spent ({@code pass_days}),
 * counted from the access events the edges report, each distinct site-local day once; and how sites
 * whose edges predate {@link Grant#FEATURE} get such grants (as removals: fail closed). Call inside a
 * {@code Database} transaction.
 */
public final class PassDays {
    private PassDays() {}

    /**
     * Counts the day of a newly stored access event, in the caller's transaction: an entry granted by
     * a member's entry-limited plan grant on a trusted clock spends its site-local day. When the day is
     * new, every site the plan covers gets the member's grant again with it, so other edges learn it.
     */
    public static void count(Connection c, String tenantId, String siteId, String deviceId, Envelope event, Instant now)
            throws SQLException {
        AccessEvent access = event.payloadAs(AccessEvent.class);
        if (!access.granted()
                || access.basis().orElseThrow() != GrantBasis.MEMBER_GRANT
                || access.clock() != ClockStatus.TRUSTED
                || access.grant().isEmpty()
                || access.member().isEmpty()) {
            return;
        }
        String memberId = access.member().get().value();
        Optional<String> plan = PlanGrants.planOf(access.grant().get(), memberId);
        if (plan.isEmpty()) {
            return; // not a plan's grant
        }
        String planId = plan.get();
        if (limit(c, tenantId, memberId, planId).isEmpty()) {
            return; // no entry limit (or no longer held): nothing to count
        }
        Optional<String> zone = Sql.byId(c, "sites", "time_zone", Sql.STRING, tenantId, siteId);
        if (zone.isEmpty()) {
            return;
        }
        LocalDate day = LocalDate.ofInstant(event.time(), ZoneId.of(zone.get()));
        Map<String, Map<String, Entity>> before = PlanGrants.projection(c, tenantId, planId, Optional.of(memberId));
        int inserted = Sql.update(
                c,
                "INSERT INTO pass_days (tenant_id, member_id, plan_id, day, first_event_id, site_id, device_id,"
                        + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, member_id, plan_id, day) DO NOTHING",
                tenantId,
                memberId,
                planId,
                day.toString(),
                event.id(),
                siteId,
                deviceId,
                now.toEpochMilli());
        if (inserted == 1) {
            PlanGrants.appendDifference(
                    c, tenantId, before, PlanGrants.projection(c, tenantId, planId, Optional.of(memberId)), now);
        }
    }

    /** The member's entry limit on the plan: empty when the plan has none (or the member does not hold it). */
    static Optional<Integer> limit(Connection c, String tenantId, String memberId, String planId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT entries FROM member_plans WHERE member_id = ? AND plan_id = ? AND tenant_id = ?",
                        rows -> Optional.ofNullable((Number) rows.getObject(1)).map(Number::intValue),
                        memberId,
                        planId,
                        tenantId)
                .flatMap(entries -> entries);
    }

    /**
     * The days the member's plan has spent within its validity window (each day judged in the zone
     * of the site that reported it), ascending: all of them, past the limit too when edges cut off
     * from the hub over-spent it.
     */
    static List<LocalDate> spent(
            Connection c,
            String tenantId,
            String memberId,
            String planId,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil)
            throws SQLException {
        TreeSet<LocalDate> days = new TreeSet<>();
        for (String[] row : Sql.list(
                c,
                "SELECT pd.day, s.time_zone FROM pass_days pd JOIN sites s ON s.id = pd.site_id"
                        + " WHERE pd.tenant_id = ? AND pd.member_id = ? AND pd.plan_id = ?",
                rows -> new String[] {rows.getString(1), rows.getString(2)},
                tenantId,
                memberId,
                planId)) {
            LocalDate day = LocalDate.parse(row[0]);
            ZoneId zone = ZoneId.of(row[1]);
            // A pass bought again after the last one ran out starts afresh: its window excludes old days.
            boolean inWindow = validFrom
                            .map(from -> !day.isBefore(LocalDate.ofInstant(from, zone)))
                            .orElse(true)
                    && validUntil
                            .map(until -> day.isBefore(LocalDate.ofInstant(until.minusNanos(1), zone)
                                    .plusDays(1)))
                            .orElse(true);
            if (inWindow) {
                days.add(day);
            }
        }
        return List.copyOf(days);
    }

    /**
     * What the grant carries: the limit (within the protocol's 1 – {@value Grant.Entries#MAX_LIMIT};
     * top-ups beyond it are sent as the maximum) and the earliest {@code limit} spent days, enough to deny.
     */
    static Grant.Entries entries(int limit, List<LocalDate> spent) {
        int sent = Math.max(1, Math.min(limit, Grant.Entries.MAX_LIMIT));
        return new Grant.Entries(sent, spent.subList(0, Math.min(sent, spent.size())));
    }

    /** Whether every active edge of the site reads a grant's {@code entries}. */
    public static boolean siteReads(Connection c, String tenantId, String siteId) throws SQLException {
        return EdgeFeatures.siteReads(c, tenantId, siteId, Grant.FEATURE);
    }

    /** Whether a change is the upsert of an entry-limited grant: what a site that cannot read it gets as a removal. */
    public static boolean isEntryLimited(Change change) {
        return change instanceof Change.Upsert upsert
                && upsert.entity() instanceof Grant grant
                && grant.entries().isPresent();
    }

    /**
     * The change as a site whose edges cannot all read {@code entries} gets it: an entry-limited
     * grant's upsert becomes its removal (its holder is denied there: an old edge would refuse the
     * field, or grant without limit); anything else is unchanged.
     */
    public static Change forOldEdges(Change change) {
        return isEntryLimited(change) ? new Change.Remove(EntityKind.GRANT, change.key()) : change;
    }

    /** The entities as a site reads them: without entry-limited grants unless it reads them. */
    public static List<Entity> forSite(List<Entity> entities, boolean reads) {
        return reads
                ? entities
                : entities.stream()
                        .filter(entity -> !(entity instanceof Grant grant
                                && grant.entries().isPresent()))
                        .toList();
    }

    /** The site's entry-limited grants: what it gets again once its last old edge reads them. */
    public static List<Entity> live(Connection c, String tenantId, String siteId) throws SQLException {
        return PlanGrants.entitiesAt(c, tenantId, siteId, Optional.empty()).stream()
                .filter(entity ->
                        entity instanceof Grant grant && grant.entries().isPresent())
                .toList();
    }
}
