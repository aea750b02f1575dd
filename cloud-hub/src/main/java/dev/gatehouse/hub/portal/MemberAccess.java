package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.access.AccessEventView;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the portal shows a member about their own access, read from the same tables the edges'
 * entitlements come from: the doors their plans open at which sites and when (plan windows are in
 * the site's local time, so they are shown with the site's zone), and their latest entries with
 * times in each door's site zone. Every query is the member's own tenant's.
 */
public record MemberAccess(Database database, AccessLogStore accessLog) {
    /** How many of the member's latest door events the portal lists. */
    static final int RECENT = 20;

    /** One plan at one site: the doors it opens and when. */
    public record Grant(
            String site, String zone, String plan, List<String> doors, List<String> when, String validity) {}

    /** A door the member may try to open remotely (the policy decides at the moment they press). */
    public record DoorChoice(String id, String name, String site) {}

    /** One of the member's door events, its time in the site's zone. */
    public record Entry(String time, String iso, String door, String site, boolean granted, String why) {}

    private record Row(
            String planId,
            String plan,
            String site,
            String zone,
            String doorId,
            String door,
            Optional<Instant> from,
            Optional<Instant> until) {}

    private record Window(String planId, DayOfWeek day, int start, int end) {}

    private record Place(String door, String site, ZoneId zone) {}

    /** The member's plans by site, with their doors and weekly windows. */
    List<Grant> grants(String tenantId, String memberId, Messages t) {
        return database.read(c -> {
            List<Row> rows = rows(c, tenantId, memberId);
            List<Window> windows = Sql.list(
                    c,
                    "SELECT w.plan_id, w.day, w.start_minute, w.end_minute FROM plan_windows w"
                            + " JOIN member_plans mp ON mp.plan_id = w.plan_id"
                            + " WHERE mp.tenant_id = ? AND mp.member_id = ?",
                    r -> new Window(r.getString(1), DayOfWeek.valueOf(r.getString(2)), r.getInt(3), r.getInt(4)),
                    tenantId,
                    memberId);
            Map<String, List<Row>> byPlanAndSite = new LinkedHashMap<>();
            for (Row row : rows) {
                byPlanAndSite
                        .computeIfAbsent(row.planId() + "@" + row.site(), k -> new ArrayList<>())
                        .add(row);
            }
            List<Grant> grants = new ArrayList<>();
            for (List<Row> group : byPlanAndSite.values()) {
                Row first = group.getFirst();
                ZoneId zone = ZoneId.of(first.zone());
                List<String> when = windows.stream()
                        .filter(w -> w.planId().equals(first.planId()))
                        .sorted(Comparator.comparing(Window::day).thenComparingInt(Window::start))
                        .map(w -> t.get(
                                "portal.access.window",
                                w.day().getDisplayName(TextStyle.FULL, t.locale()),
                                clock(w.start()),
                                clock(w.end())))
                        .toList();
                grants.add(new Grant(
                        first.site(),
                        first.zone(),
                        first.plan(),
                        group.stream().map(Row::door).distinct().toList(),
                        when.isEmpty() ? List.of(t.get("portal.access.always")) : when,
                        validity(first, zone, t)));
            }
            return grants;
        });
    }

    /** The distinct doors the member's plans name, in site and door order. */
    List<DoorChoice> doors(String tenantId, String memberId) {
        Map<String, DoorChoice> doors = new LinkedHashMap<>();
        for (Row row : database.read(c -> rows(c, tenantId, memberId))) {
            doors.putIfAbsent(row.doorId(), new DoorChoice(row.doorId(), row.door(), row.site()));
        }
        return List.copyOf(doors.values());
    }

    /** The member's latest {@link #RECENT} door events, newest first. */
    List<Entry> recent(String tenantId, String memberId, Messages t) {
        List<AccessEventView> events = accessLog
                .query(AccessQuery.of(tenantId).member(memberId).limit(RECENT))
                .items();
        Map<String, Optional<Place>> places = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (AccessEventView event : events) {
            Optional<Place> place =
                    places.computeIfAbsent(event.doorId(), door -> database.read(c -> place(c, tenantId, door)));
            Instant at = Instant.parse(event.at());
            ZoneId zone = place.map(Place::zone).orElse(ZoneId.of("UTC"));
            boolean granted = "granted".equals(event.decision());
            entries.add(new Entry(
                    Formats.dateTime(at, zone, t.locale()),
                    Formats.iso(at),
                    place.map(Place::door).orElse(t.get("portal.entries.unknown-door")),
                    place.map(Place::site).orElse(""),
                    granted,
                    granted ? t.get("portal.entries.granted") : event.reasonText()));
        }
        return entries;
    }

    private static List<Row> rows(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.list(
                c,
                "SELECT p.id, p.name, s.name, s.time_zone, d.id, d.name, mp.valid_from, mp.valid_until"
                        + " FROM member_plans mp"
                        + " JOIN plans p ON p.id = mp.plan_id AND p.tenant_id = mp.tenant_id"
                        + " JOIN plan_door_groups pg ON pg.plan_id = p.id"
                        + " JOIN door_groups g ON g.id = pg.door_group_id AND g.tenant_id = mp.tenant_id"
                        + " JOIN door_group_doors gd ON gd.group_id = g.id"
                        + " JOIN doors d ON d.id = gd.door_id AND d.tenant_id = mp.tenant_id"
                        + " JOIN sites s ON s.id = d.site_id AND s.tenant_id = mp.tenant_id"
                        + " WHERE mp.tenant_id = ? AND mp.member_id = ?"
                        + " ORDER BY s.name, s.id, p.name, p.id, d.name, d.id",
                r -> new Row(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        r.getString(6),
                        Sql.instant(r, 7),
                        Sql.instant(r, 8)),
                tenantId,
                memberId);
    }

    private static Optional<Place> place(Connection c, String tenantId, String doorId) throws SQLException {
        if (doorId == null) {
            return Optional.empty();
        }
        return Sql.one(
                c,
                "SELECT d.name, s.name, s.time_zone FROM doors d JOIN sites s ON s.id = d.site_id AND s.tenant_id = d.tenant_id"
                        + " WHERE d.tenant_id = ? AND d.id = ?",
                r -> new Place(r.getString(1), r.getString(2), ZoneId.of(r.getString(3))),
                tenantId,
                doorId);
    }

    private static String validity(Row row, ZoneId zone, Messages t) {
        if (row.from().isPresent() && row.until().isPresent()) {
            return t.get(
                    "portal.access.between",
                    Formats.dateTime(row.from().get(), zone, t.locale()),
                    Formats.dateTime(row.until().get(), zone, t.locale()));
        }
        if (row.from().isPresent()) {
            return t.get("portal.access.from", Formats.dateTime(row.from().get(), zone, t.locale()));
        }
        return row.until()
                .map(until -> t.get("portal.access.until", Formats.dateTime(until, zone, t.locale())))
                .orElse("");
    }

    private static String clock(int minute) {
        return String.format("%02d:%02d", minute / 60, minute % 60);
    }
}
