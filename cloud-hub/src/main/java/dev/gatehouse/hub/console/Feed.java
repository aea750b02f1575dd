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
        database.run(c -> {
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
        });
    }

    /** The rows of these events that the operator may see, in the same order. */
    public List<Row> rows(List<AccessEventView> events) {
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

    private String who(AccessEventView event) {
        if (event.memberId() != null) {
            return members.computeIfAbsent(event.memberId(), id -> database.read(c -> Sql.one(
                            c,
                            "SELECT full_name FROM members WHERE tenant_id = ? AND id = ?",
                            Sql.STRING,
                            tenantId,
                            id))
                    .orElse(id));
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
