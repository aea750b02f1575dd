package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.web.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The API's JSON for a site's occupancy report: each figure with its definition and its rows' link. */
final class Reports {
    private Reports() {}

    static final List<String> DAYS =
            List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

    private static String query(Analytics.SiteReport r) {
        return "from=" + r.period().from() + "&to=" + r.period().to()
                + r.kind()
                        .map(k -> "&kind=" + k.toLowerCase(Locale.ROOT).replace('_', '-'))
                        .orElse("")
                + "&asOf=" + r.asOf();
    }

    private static String rowsLink(String base, Analytics.SiteReport r, String metric) {
        return base + "/sites/" + r.site().id() + "/rows?metric=" + metric + "&" + query(r);
    }

    /** What every report answer starts with: the site, its zone, the period, the kind and the as-of instant. */
    private static Map<String, Object> header(Analytics.SiteReport r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("siteId", r.site().id());
        body.put("zone", r.site().zone().getId());
        body.put("from", r.period().from().toString());
        body.put("to", r.period().to().toString());
        r.kind().ifPresent(k -> body.put("kind", k.toLowerCase(Locale.ROOT).replace('_', '-')));
        body.put("asOf", r.asOf().toString());
        return body;
    }

    static Map<String, Object> occupancy(Analytics.SiteReport r, String base) {
        Map<String, Object> body = header(r);

        Occupancy.Physical p = r.physical();
        Map<String, Object> physical = new LinkedHashMap<>();
        physical.put("occupancy", "physical");
        physical.put("capacity", p.capacity());
        physical.put("capacitySource", p.capacitySource());
        physical.put("peakPeople", p.peak());
        physical.put("averagePeople", p.average());
        p.peakRatio().ifPresent(v -> physical.put("peak", v));
        p.averageRatio().ifPresent(v -> physical.put("average", v));
        List<Map<String, Object>> hours = new ArrayList<>();
        for (Occupancy.HourCount h : p.hours()) {
            hours.add(Map.of(
                    "hour", h.hour().toString(),
                    "people", h.people(),
                    "rows", rowsLink(base, r, "present") + "&hour=" + h.hour()));
        }
        physical.put("hours", hours);
        physical.put("definition", Occupancy.PHYSICAL_DEFINITION);
        body.put("physical", physical);

        Occupancy.Sold s = r.sold();
        Map<String, Object> sold = new LinkedHashMap<>();
        sold.put("occupancy", "sold");
        sold.put("desks", s.desks());
        sold.put("desksSource", s.desksSource());
        sold.put("hotDeskCoefficient", s.coefficientPercent() / 100.0);
        sold.put("teamSeats", s.teamSeats());
        sold.put("memberships", s.memberships());
        sold.put("soldDesks", s.soldDesks());
        s.ratio().ifPresent(v -> sold.put("sold", v));
        sold.put("rows", rowsLink(base, r, "sold"));
        sold.put("definition", Occupancy.SOLD_DEFINITION);
        body.put("sold", sold);

        List<Map<String, Object>> resources = new ArrayList<>();
        for (Occupancy.Use use : r.utilisation()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("resourceId", use.resource().id());
            row.put("name", use.resource().name());
            row.put("kind", use.resource().kind().toLowerCase(Locale.ROOT).replace('_', '-'));
            row.put("bookableHours", use.bookableMs() / 3_600_000.0);
            row.put("bookedHours", use.bookedMs() / 3_600_000.0);
            row.put("checkedInHours", use.checkedInMs() / 3_600_000.0);
            use.booked().ifPresent(v -> row.put("utilisation", v));
            use.actual().ifPresent(v -> row.put("actual", v));
            row.put("bookings", use.bookings().size());
            row.put(
                    "rows",
                    rowsLink(base, r, "bookings") + "&resourceId="
                            + use.resource().id());
            resources.add(row);
        }
        body.put(
                "utilisation",
                Map.of(
                        "occupancy",
                        "utilisation",
                        "resources",
                        resources,
                        "definition",
                        Occupancy.UTILISATION_DEFINITION));

        Occupancy.NoShows n = r.noShows();
        Map<String, Object> noShows = new LinkedHashMap<>();
        noShows.put("occupancy", "no-show-rate");
        noShows.put("decided", n.decided().size());
        noShows.put("released", n.released().size());
        n.rate().ifPresent(v -> noShows.put("rate", v));
        noShows.put("rows", rowsLink(base, r, "no-shows"));
        noShows.put("definition", Occupancy.NO_SHOW_DEFINITION);
        body.put("noShows", noShows);
        return body;
    }

    static Map<String, Object> heatmap(Analytics.SiteReport r) {
        List<Map<String, Object>> days = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            List<Map<String, Object>> cells = new ArrayList<>();
            for (int h = 0; h < 24; h++) {
                Heatmap.Cell cell = r.heatmap().cell(d, h);
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("hour", h);
                c.put("hours", cell.hours());
                c.put("people", cell.people());
                cell.averagePeople().ifPresent(v -> c.put("averagePeople", v));
                c.put("bookedHours", cell.bookedMs() / 3_600_000.0);
                c.put("bookings", cell.bookings());
                c.put("decided", cell.decided());
                c.put("noShows", cell.noShows());
                cell.noShowRate().ifPresent(v -> c.put("noShowRate", v));
                cells.add(c);
            }
            days.add(Map.of("day", DAYS.get(d), "cells", cells));
        }
        Map<String, Object> body = header(r);
        body.put("occupancy", "physical presence, utilisation and no-show rate by hour of week");
        body.put("definition", Heatmap.DEFINITION);
        body.put("days", days);
        return body;
    }

    /** The rows behind one figure of the report. */
    static Map<String, Object> rows(
            Analytics.SiteReport r,
            String metric,
            Optional<Instant> hour,
            Optional<String> resource,
            java.util.function.Function<Instant, List<Rows.Entry>> hourEntries) {
        List<Map<String, Object>> items = new ArrayList<>();
        String definition;
        switch (metric) {
            case "present" -> {
                Instant h = hour.orElseThrow(() -> ApiException.invalid(
                        "hour",
                        "is required with metric=present: the" + " hour's start, as the occupancy report lists it"));
                int index = r.hours().indexOf(h);
                if (index < 0 || index >= r.present().size()) {
                    throw ApiException.invalid(
                            "hour", "is " + h + ", not the start of an hour of the period before the as-of instant");
                }
                // The hour's entries (from a dwell before it), read for this answer only.
                List<Rows.Entry> read = hourEntries.apply(h);
                Set<String> present =
                        Occupancy.present(read, List.of(h), r.dwell(), r.asOf()).getFirst();
                for (String member : new java.util.TreeSet<>(present)) {
                    List<String> entries = read.stream()
                            .filter(e -> e.memberId().equals(member))
                            .filter(e -> e.at().isBefore(h.plusSeconds(3600))
                                    && e.at().plus(r.dwell()).isAfter(h))
                            .map(e -> e.at().toString())
                            .toList();
                    items.add(Map.of("memberId", member, "entries", entries));
                }
                definition = Occupancy.PHYSICAL_DEFINITION;
            }
            case "sold" -> {
                for (Revision rev : r.sold().subscriptions()) {
                    items.add(AnalyticsService.subscription(rev, rev.mrrAt(r.asOf())));
                }
                definition = Occupancy.SOLD_DEFINITION;
            }
            case "bookings" -> {
                Set<String> ids = new java.util.HashSet<>();
                for (Occupancy.Use use : r.utilisation()) {
                    if (resource.map(use.resource().id()::equals).orElse(true)) {
                        ids.addAll(use.bookings());
                    }
                }
                // The report's bookings are its utilisation's; their rows are the API's booking records.
                for (String id : ids.stream().sorted().toList()) {
                    items.add(Map.of("bookingId", id, "href", "/api/v1/bookings/" + id));
                }
                definition = Occupancy.UTILISATION_DEFINITION;
            }
            case "no-shows" -> {
                for (Rows.Booking b : r.noShows().decided()) {
                    items.add(booking(b, r.asOf()));
                }
                definition = Occupancy.NO_SHOW_DEFINITION;
            }
            default ->
                throw ApiException.invalid(
                        "metric", "'" + metric + "' is no occupancy figure; use present, sold, bookings or no-shows");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("siteId", r.site().id());
        body.put("metric", metric);
        body.put("asOf", r.asOf().toString());
        body.put("count", items.size());
        body.put("definition", definition);
        body.put("items", items);
        return body;
    }

    private static Map<String, Object> booking(Rows.Booking b, Instant asOf) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bookingId", b.id());
        row.put("resourceId", b.resourceId());
        row.put("memberId", b.memberId());
        row.put("start", b.start().toString());
        row.put("end", b.end().toString());
        row.put("outcome", b.releasedBy(asOf) ? "released" : "checked-in");
        return row;
    }

    static Map<String, Object> targets(AnalyticsStore.Targets t) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("capacity", t.capacity().orElse(null));
        body.put("desks", t.desks().orElse(null));
        body.put("hotDeskCoefficient", t.hotDeskPercent() / 100.0);
        return body;
    }
}
