package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The analytics service layer, shared by the API and the console: checks the role (revenue needs
 * {@code finance}, occupancy {@code view-analytics} and the site among the role's), reads the rows as
 * of the instant asked, and hands them to the pure metrics ({@link Revenue}, {@link Occupancy},
 * {@link Heatmap}). Everything is computed from rows on request, but for the hourly presence
 * ({@code access.PresenceRollup}), kept at ingest, which is read where it holds the as-of answer; the
 * ledger's revisions are taken from the {@link LedgerCache} while a count of them says they are unchanged.
 *
 * @param dwell how long after an entry a member counts as present ({@code hub.console.dwell})
 */
public record Analytics(AnalyticsStore store, Clock clock, Duration dwell) {
    /** The longest period one occupancy request covers. */
    public static final int MAX_DAYS = 92;

    /** {@code asked}, or now; an instant after now is refused (the future has no rows yet). */
    public Instant asOf(Optional<Instant> asked) {
        Instant now = clock.instant();
        if (asked.filter(now::isBefore).isPresent()) {
            throw ApiException.invalid(
                    "asOf", "is " + asked.get() + ", after now (" + now + "); ask for a past instant");
        }
        return asked.orElse(now);
    }

    private static void require(Access access, Permission permission) {
        if (!access.may(permission)) {
            throw ApiException.forbidden("the role " + WireNames.wire(access.role()) + " may not do this (it needs "
                    + WireNames.wire(permission) + "); ask an owner for a role that may");
        }
    }

    /** The tenant's revenue over the role's sites, as known at {@code asOf} (needs finance). */
    public Revenue revenue(String tenantId, Access access, Instant asOf) {
        require(access, Permission.FINANCE);
        return new Revenue(store.revisions(tenantId, asOf, access::covers), asOf);
    }

    /**
     * One page of the subscriptions in MRR at an instant, in subscription id order, and the figure over
     * <em>all</em> of them: {@code mrr} and {@code count} are the whole drill-down's (the page's rows are a
     * slice of exactly the rows behind the figure). {@code start} is the first row's index (0-based).
     * {@code nextCursor} names the next page; {@code previousCursor} the page before, empty when that is
     * the first page (asked without a cursor) or when this is the first page.
     */
    public record MrrPage(
            Instant at,
            Instant asOf,
            long mrr,
            int count,
            int start,
            int limit,
            List<Revenue.Line> lines,
            Optional<String> nextCursor,
            Optional<String> previousCursor) {
        public MrrPage {
            lines = List.copyOf(lines);
        }

        /** Whether there is a page before this one. */
        public boolean hasPrevious() {
            return start > 0;
        }
    }

    /**
     * The subscriptions in MRR at {@code at} (capped at {@code asOf}), {@code limit} of them after the
     * subscription {@code after} names (keyset by subscription id: a page holds the same rows whoever asks
     * for it, as the as-of instant fixes the rows). The total is summed over every row, so it is the
     * figure the waterfall shows for that instant, to the cent.
     */
    public MrrPage mrrPage(
            String tenantId, Access access, Instant asOf, Instant at, int limit, Optional<Cursor> after) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit is " + limit);
        }
        Revenue revenue = revenue(tenantId, access, asOf);
        List<Revenue.Line> lines = revenue.lines(at);
        long total = 0;
        for (Revenue.Line line : lines) {
            total += line.mrr();
        }
        int start = after.map(c -> firstAfter(lines, c.id())).orElse(0);
        int end = Math.min(lines.size(), start + limit);
        Optional<String> next = end < lines.size() ? Optional.of(cursor(lines.get(end - 1))) : Optional.empty();
        int previousStart = start - limit;
        Optional<String> previous =
                previousStart > 0 ? Optional.of(cursor(lines.get(previousStart - 1))) : Optional.empty();
        Instant when = at.isAfter(asOf) ? asOf : at;
        return new MrrPage(when, asOf, total, lines.size(), start, limit, lines.subList(start, end), next, previous);
    }

    private static String cursor(Revenue.Line line) {
        return new Cursor(0, line.revision().subscriptionId()).encode();
    }

    /** The index of the first line whose subscription id sorts after {@code id} (the lines are in id order). */
    private static int firstAfter(List<Revenue.Line> lines, String id) {
        int low = 0;
        int high = lines.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (lines.get(mid).revision().subscriptionId().compareTo(id) <= 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The zone months are counted in: the role's sites' zone when they share one, else UTC. */
    public ZoneId zone(String tenantId, Access access) {
        List<ZoneId> zones = store.sites(tenantId, access::covers).stream()
                .map(AnalyticsStore.Site::zone)
                .distinct()
                .toList();
        return zones.size() == 1 ? zones.getFirst() : ZoneOffset.UTC;
    }

    /** The sites the role may see analytics of (none without view-analytics). */
    public List<AnalyticsStore.Site> sites(String tenantId, Access access) {
        return access.may(Permission.VIEW_ANALYTICS) ? store.sites(tenantId, access::covers) : List.of();
    }

    /** A site of the role's, or 404 as for a site that does not exist. */
    public AnalyticsStore.Site site(String tenantId, Access access, String siteId) {
        require(access, Permission.VIEW_ANALYTICS);
        if (!access.covers(siteId)) {
            throw ApiException.notFound("site", siteId);
        }
        return store.site(tenantId, siteId).orElseThrow(() -> ApiException.notFound("site", siteId));
    }

    /** A period of local days, checked. */
    public record Period(LocalDate from, LocalDate to) {
        public Period {
            if (to.isBefore(from)) {
                throw ApiException.invalid("to", "is " + to + ", before from (" + from + ")");
            }
            if (from.plusDays(MAX_DAYS).isBefore(to)) {
                throw ApiException.invalid(
                        "to", "is more than " + MAX_DAYS + " days after from; ask for a shorter period");
            }
        }

        public Instant start(ZoneId zone) {
            return from.atStartOfDay(zone).toInstant();
        }

        public Instant end(ZoneId zone) {
            return to.plusDays(1).atStartOfDay(zone).toInstant();
        }
    }

    /** Everything the occupancy page of a site shows for a period, as of an instant. */
    public record SiteReport(
            String tenantId,
            AnalyticsStore.Site site,
            Period period,
            Instant asOf,
            Optional<String> kind,
            List<Instant> hours,
            List<Integer> present,
            Occupancy.Physical physical,
            Occupancy.Sold sold,
            List<Occupancy.Use> utilisation,
            Occupancy.NoShows noShows,
            Heatmap.Grid heatmap,
            Duration dwell) {}

    public SiteReport report(
            String tenantId, Access access, String siteId, Period period, Optional<String> kind, Instant asOf) {
        AnalyticsStore.Site site = site(tenantId, access, siteId);
        ZoneId zone = site.zone();
        Instant from = period.start(zone);
        Instant to = period.end(zone);
        List<Instant> hours = Occupancy.hours(zone, period.from(), period.to());
        // How many were present each hour: the hourly presence where it holds the as-of answer, else the entries.
        List<Integer> present = store.presence(tenantId, siteId, hours, dwell, asOf);
        List<Rows.Resource> all = store.resources(tenantId, siteId, Optional.empty());
        List<Rows.Resource> resources = all.stream()
                .filter(r -> kind.map(r.kind()::equals).orElse(true))
                .toList();
        Set<String> ids = new java.util.HashSet<>();
        resources.forEach(r -> ids.add(r.id()));
        List<Rows.Booking> bookings = store.bookings(tenantId, siteId, from, to, asOf).stream()
                .filter(b -> ids.contains(b.resourceId()))
                .toList();
        AnalyticsStore.Targets targets = store.targets(tenantId, siteId);
        int capacity = targets.capacity()
                .orElse(all.stream().mapToInt(Rows.Resource::capacity).sum());
        String capacitySource =
                targets.capacity().isPresent() ? "site setting" : "sum of the site's resource capacities";
        int desks = targets.desks()
                .orElse(all.stream()
                        .filter(r -> r.kind().equals("HOT_DESK") || r.kind().equals("DEDICATED_DESK"))
                        .mapToInt(Rows.Resource::capacity)
                        .sum());
        String desksSource = targets.desks().isPresent() ? "site setting" : "capacity of the site's desk resources";
        Revenue contracts = new Revenue(store.siteRevisions(tenantId, siteId, asOf), asOf);
        Occupancy.Physical physical = Occupancy.counted(present, hours, capacity, capacitySource);
        return new SiteReport(
                tenantId,
                site,
                period,
                asOf,
                kind,
                hours,
                present,
                physical,
                Occupancy.sold(contracts.running(asOf), desks, desksSource, targets.hotDeskPercent()),
                Occupancy.utilisation(resources, bookings, zone, from, to, asOf, store.holidays(tenantId, siteId)),
                Occupancy.noShows(bookings, from, to, asOf),
                Heatmap.counted(zone, hours, present, bookings, asOf),
                dwell);
    }

    /** The rows behind one figure of a report (as {@code GET /api/v1/analytics/sites/{id}/rows} gives them). */
    public java.util.Map<String, Object> rows(
            Access access, SiteReport report, String metric, Optional<Instant> hour, Optional<String> resourceId) {
        if (metric.equals("present")) {
            // Who was in, hour by hour, is the access log: a role that may not read it sees the counts only.
            require(access, Permission.VIEW_ACCESS_LOG);
        }
        return Reports.rows(
                report,
                metric,
                hour,
                resourceId,
                h -> store.entries(
                        report.tenantId(), report.site().id(), h.minus(dwell), h.plusSeconds(3600), report.asOf()));
    }

    public static Analytics of(dev.gatehouse.hub.store.Database database, Clock clock, Duration dwell) {
        return new Analytics(new AnalyticsStore(database, clock), clock, dwell);
    }

    /** Sets what the site's occupancies divide by (needs manage-sites at the site). */
    public void setTargets(String tenantId, Access access, String siteId, AnalyticsStore.Targets targets) {
        require(access, Permission.MANAGE_SITES);
        if (!access.covers(siteId) || store.site(tenantId, siteId).isEmpty()) {
            throw ApiException.notFound("site", siteId);
        }
        store.setTargets(tenantId, siteId, targets);
    }
}
