package dev.gatehouse.hub.console;

import dev.gatehouse.hub.access.AccessEventView;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Access;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Access events as the console's activity feed shows them: with the site's, door's and member's
 * names, the time in the site's zone, and only for the sites the operator may see. The names of a
 * tenant's sites and doors are read once per feed; members as their events arrive.
 */
public final class Feed {
    /** One row of the feed. {@code who} is a member's name, "visitor" or "unknown card". */
    public record Row(
            String id,
            Instant at,
            ZoneId zone,
            String siteName,
            String doorName,
            String who,
            boolean granted,
            String why) {}

    private record Place(String name, String siteId) {}

    private record SiteName(String name, ZoneId zone) {}

    private final Database database;
    private final String tenantId;
    private final Access access;
    private final Messages t;
    private final Map<String, SiteName> sites = new HashMap<>();
    private final Map<String, Place> doors = new HashMap<>();
    private final Map<String, String> members = new HashMap<>();

    public Feed(Database database, String tenantId, Access access, Messages t) {
        this.database = database;
        this.tenantId = tenantId;
        this.access = access;
        this.t = t;
        reloadPlaces();
    }

    private void reloadPlaces() {
        database.read(c -> {
            for (var site : Sql.list(
                    c,
                    "SELECT id, name, time_zone FROM sites WHERE tenant_id = ?",
                    r -> Map.entry(r.getString(1), new SiteName(r.getString(2), ZoneId.of(r.getString(3)))),
                    tenantId)) {
                sites.put(site.getKey(), site.getValue());
            }
            for (var door : Sql.list(
                    c,
                    "SELECT id, name, site_id FROM doors WHERE tenant_id = ?",
                    r -> Map.entry(r.getString(1), new Place(r.getString(2), r.getString(3))),
                    tenantId)) {
                doors.put(door.getKey(), door.getValue());
            }
            return null;
        });
    }

    /** The rows of these events that the operator may see, in the same order. */
    public List<Row> rows(List<AccessEventView> events) {
        loadMemberNames(events);
        List<Row> rows = new ArrayList<>();
        for (AccessEventView event : events) {
            if (!access.covers(event.siteId())) {
                continue;
            }
            if (!sites.containsKey(event.siteId()) || !doors.containsKey(event.doorId())) {
                reloadPlaces(); // a site or door made since the feed opened
            }
            SiteName site = sites.getOrDefault(event.siteId(), new SiteName(event.siteId(), ZoneId.of("UTC")));
            Place door = doors.getOrDefault(event.doorId(), new Place(event.doorId(), event.siteId()));
            rows.add(new Row(
                    event.id(),
                    Instant.parse(event.at()),
                    site.zone(),
                    site.name(),
                    door.name(),
                    who(event),
                    "granted".equals(event.decision()),
                    Optional.ofNullable(event.reasonText()).orElse("")));
        }
        return rows;
    }

    /** Most member names a page shows are read in one statement ({@value #NAMES_PER_READ} ids at a time). */
    static final int NAMES_PER_READ = 200;

    /** The full names of the events' members not read before, by id, in as few reads as the ids allow. */
    private void loadMemberNames(List<AccessEventView> events) {
        List<String> missing = events.stream()
                .map(AccessEventView::memberId)
                .filter(id -> id != null && !members.containsKey(id))
                .distinct()
                .toList();
        for (int from = 0; from < missing.size(); from += NAMES_PER_READ) {
            List<String> ids = missing.subList(from, Math.min(missing.size(), from + NAMES_PER_READ));
            List<Object> params = new ArrayList<>(ids.size() + 1);
            params.add(tenantId);
            params.addAll(ids);
            database.read(c -> {
                for (var name : Sql.list(
                        c,
                        memberNamesSql(ids.size()),
                        r -> Map.entry(r.getString(1), r.getString(2)),
                        params.toArray())) {
                    members.put(name.getKey(), name.getValue());
                }
                return null;
            });
        }
    }

    /** The statement that reads {@code count} members' names: tenant id, then the member ids. */
    public static String memberNamesSql(int count) {
        return "SELECT id, full_name FROM members WHERE tenant_id = ? AND id IN ("
                + String.join(", ", java.util.Collections.nCopies(count, "?")) + ")";
    }

    private String who(AccessEventView event) {
        if (event.memberId() != null) {
            // a member deleted since (or of no row) shows as its id
            return members.getOrDefault(event.memberId(), event.memberId());
        }
        return event.passId() != null ? t.get("feed.visitor") : t.get("feed.unknown-card");
    }

    /** The newest events of the log, newest first, as rows. */
    public List<Row> recent(AccessLogStore log, int limit) {
        if (access.allSites()) {
            return rows(log.query(AccessQuery.of(tenantId).limit(limit)).items());
        }
        List<AccessEventView> events = new ArrayList<>();
        for (String siteId : access.siteIds()) {
            events.addAll(log.query(AccessQuery.of(tenantId).site(siteId).limit(limit))
                    .items());
        }
        events.sort(Comparator.comparing(AccessEventView::at)
                .thenComparing(AccessEventView::id)
                .reversed());
        return rows(events.subList(0, Math.min(limit, events.size())));
    }
}
