package dev.gatehouse.hub.console;

import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.DenyReason;
import io.helidon.common.uri.UriQuery;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The access log page's filters as the operator typed them, read from the query string of the page
 * and of its CSV export: member (e-mail or id), site, door, decision, reason, a time range as local
 * date-times in the zone of the selected site (or its door's site; UTC when neither is chosen) and
 * the keyset cursor. A value that cannot be read is named in {@link #errors()} and no query is run.
 */
public final class AccessLogFilter {
    /** A site the operator may see, with its zone. */
    public record SiteOption(String id, String name, ZoneId zone) {}

    /** A door of one of those sites. */
    public record DoorOption(String id, String name, String siteId, String siteName) {}

    /** What the form shows back: the values as typed (so a wrong one can be corrected). */
    public record Typed(
            String member, String site, String door, String decision, String reason, String from, String to) {}

    private final Typed typed;
    private final List<SiteOption> sites;
    private final List<DoorOption> doors;
    private final Map<String, String> errors = new LinkedHashMap<>();
    private final ZoneId zone;
    private final Optional<String> zoneSite;
    private final Optional<AccessQuery> query;

    private AccessLogFilter(
            Typed typed,
            List<SiteOption> sites,
            List<DoorOption> doors,
            ZoneId zone,
            Optional<String> zoneSite,
            Optional<AccessQuery> query,
            Map<String, String> errors) {
        this.typed = typed;
        this.sites = sites;
        this.doors = doors;
        this.zone = zone;
        this.zoneSite = zoneSite;
        this.query = query;
        this.errors.putAll(errors);
    }

    /** The sites the operator may see, by name. */
    static List<SiteOption> sites(Database database, String tenantId, Access access) {
        return database
                .read(c -> Sql.list(
                        c,
                        "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        r -> new SiteOption(r.getString(1), r.getString(2), ZoneId.of(r.getString(3))),
                        tenantId))
                .stream()
                .filter(site -> access.covers(site.id()))
                .toList();
    }

    /** The doors of those sites, by site and name. */
    static List<DoorOption> doors(Database database, String tenantId, Access access) {
        return database
                .read(c -> Sql.list(
                        c,
                        "SELECT d.id, d.name, d.site_id, s.name FROM doors d JOIN sites s ON s.id = d.site_id"
                                + " AND s.tenant_id = d.tenant_id WHERE d.tenant_id = ? ORDER BY s.name, d.name, d.id",
                        r -> new DoorOption(r.getString(1), r.getString(2), r.getString(3), r.getString(4)),
                        tenantId))
                .stream()
                .filter(door -> access.covers(door.siteId()))
                .toList();
    }

    /** Reads the filters of {@code parameters} for this operator; {@code limit} rows per page. */
    static AccessLogFilter read(Database database, ConsoleSession session, UriQuery parameters, int limit) {
        String tenantId = session.tenant().id();
        Access access = session.access();
        Typed typed = new Typed(
                text(parameters, "member"),
                text(parameters, "site"),
                text(parameters, "door"),
                text(parameters, "decision"),
                text(parameters, "reason"),
                text(parameters, "from"),
                text(parameters, "to"));
        List<SiteOption> sites = sites(database, tenantId, access);
        List<DoorOption> doors = doors(database, tenantId, access);
        Map<String, String> errors = new LinkedHashMap<>();

        Optional<SiteOption> site =
                sites.stream().filter(s -> s.id().equals(typed.site())).findFirst();
        if (!typed.site().isEmpty()) {
            if (site.isEmpty()) {
                errors.put("site", "Choose one of your sites from the list.");
            }
        }
        Optional<DoorOption> door =
                doors.stream().filter(d -> d.id().equals(typed.door())).findFirst();
        if (!typed.door().isEmpty()) {
            if (door.isEmpty()) {
                errors.put("door", "Choose one of your doors from the list.");
            }
        }
        Optional<String> zoneSite = site.map(SiteOption::id).or(() -> door.map(DoorOption::siteId));
        ZoneId zone = zoneSite.flatMap(
                        id -> sites.stream().filter(s -> s.id().equals(id)).findFirst())
                .map(SiteOption::zone)
                .orElse(ZoneOffset.UTC);

        Optional<String> memberId = Optional.empty();
        if (!typed.member().isEmpty()) {
            memberId = member(database, tenantId, typed.member());
            if (memberId.isEmpty()) {
                errors.put(
                        "member",
                        "No member has the e-mail or id '" + Ids.printable(typed.member())
                                + "'. Type a member's e-mail address or id.");
            }
        }
        Optional<Boolean> granted = Optional.empty();
        switch (typed.decision()) {
            case "" -> {}
            case "granted" -> granted = Optional.of(true);
            case "denied" -> granted = Optional.of(false);
            default -> errors.put("decision", "Choose granted, denied or any decision.");
        }
        Optional<DenyReason> reason = Optional.empty();
        if (!typed.reason().isEmpty()) {
            reason = reason(typed.reason());
            if (reason.isEmpty()) {
                errors.put(
                        "reason",
                        "'" + Ids.printable(typed.reason()) + "' is not a deny reason; choose one from the list.");
            } else if (granted.equals(Optional.of(true))) {
                errors.put("reason", "Only denied events have a reason: choose decision denied or no reason.");
            }
        }
        Optional<Instant> from = localTime(typed.from(), zone, "from", errors);
        Optional<Instant> to = localTime(typed.to(), zone, "to", errors);
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            errors.put("to", "The end of the range must be after its start.");
        }
        Optional<Cursor> cursor = Optional.empty();
        String cursorText = text(parameters, "cursor");
        if (!cursorText.isEmpty()) {
            cursor = Cursor.decode(cursorText);
            if (cursor.isEmpty()) {
                errors.put("cursor", "This page link is broken: start again from the newest events.");
            }
        }
        Optional<AccessQuery> query = Optional.empty();
        if (errors.isEmpty()) {
            query = Optional.of(new AccessQuery(
                    tenantId,
                    site.map(SiteOption::id),
                    door.map(DoorOption::id),
                    memberId,
                    granted,
                    reason,
                    from,
                    to,
                    cursor,
                    limit,
                    access.siteIds()));
        }
        return new AccessLogFilter(typed, sites, doors, zone, zoneSite, query, errors);
    }

    private static String text(UriQuery parameters, String name) {
        return parameters.first(name).map(String::strip).orElse("");
    }

    /** The id of the member with this e-mail or id, in this tenant. */
    static Optional<String> member(Database database, String tenantId, String typed) {
        if (typed.contains("@")) {
            return database.read(c -> Sql.one(
                    c,
                    "SELECT id FROM members WHERE tenant_id = ? AND LOWER(email) = ?",
                    Sql.STRING,
                    tenantId,
                    typed.toLowerCase(java.util.Locale.ROOT)));
        }
        if (!Ids.isValid(typed)) {
            return Optional.empty();
        }
        return database.read(
                c -> Sql.one(c, "SELECT id FROM members WHERE tenant_id = ? AND id = ?", Sql.STRING, tenantId, typed));
    }

    static Optional<DenyReason> reason(String text) {
        for (DenyReason reason : DenyReason.values()) {
            if (WireNames.wire(reason).equals(text) || reason.name().equals(text)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }

    private static Optional<Instant> localTime(String text, ZoneId zone, String field, Map<String, String> errors) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(text).atZone(zone).toInstant());
        } catch (DateTimeParseException e) {
            errors.put(
                    field,
                    "'" + Ids.printable(text) + "' is not a date and time: use the form 2026-12-04T09:00 ("
                            + zone.getId() + ").");
            return Optional.empty();
        }
    }

    public Typed typed() {
        return typed;
    }

    public List<SiteOption> siteOptions() {
        return sites;
    }

    public List<DoorOption> doorOptions() {
        return doors;
    }

    /** The deny reasons as the reason select offers them: wire name and sentence. */
    public List<Map.Entry<String, String>> reasonOptions() {
        List<Map.Entry<String, String>> options = new ArrayList<>();
        for (DenyReason reason : DenyReason.values()) {
            options.add(Map.entry(WireNames.wire(reason), reason.sentence()));
        }
        return options;
    }

    /** The field errors, by field name; empty when the query can run. */
    public Map<String, String> errors() {
        return errors;
    }

    public String error(String field) {
        return errors.get(field);
    }

    public Optional<AccessQuery> query() {
        return query;
    }

    /** The zone the time range is read in and the page's times are written in. */
    public ZoneId zone() {
        return zone;
    }

    /** Whether the zone is a site's (otherwise UTC, because no site or door is chosen). */
    public boolean siteZone() {
        return zoneSite.isPresent();
    }

    /** The query string of these filters (no cursor), to which a cursor is appended for another page. */
    public String queryString() {
        StringBuilder text = new StringBuilder();
        append(text, "member", typed.member());
        append(text, "site", typed.site());
        append(text, "door", typed.door());
        append(text, "decision", typed.decision());
        append(text, "reason", typed.reason());
        append(text, "from", typed.from());
        append(text, "to", typed.to());
        return text.toString();
    }

    /** The link to the next (older) page. */
    public String olderLink(String path, String cursor) {
        String filters = queryString();
        return path + "?" + filters + (filters.isEmpty() ? "" : "&") + "cursor=" + encode(cursor);
    }

    /** The link to the first (newest) page, or the CSV, with these filters. */
    public String link(String path) {
        String filters = queryString();
        return filters.isEmpty() ? path : path + "?" + filters;
    }

    /** Whether this is a later page (a cursor was given). */
    public boolean laterPage() {
        return query.flatMap(AccessQuery::after).isPresent();
    }

    private static void append(StringBuilder text, String name, String value) {
        if (value.isEmpty()) {
            return;
        }
        if (!text.isEmpty()) {
            text.append('&');
        }
        text.append(name).append('=').append(encode(value));
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
