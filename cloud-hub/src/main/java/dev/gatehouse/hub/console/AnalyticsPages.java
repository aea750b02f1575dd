package dev.gatehouse.hub.console;

import dev.gatehouse.hub.analytics.Analytics;
import dev.gatehouse.hub.analytics.AnalyticsStore;
import dev.gatehouse.hub.analytics.Heatmap;
import dev.gatehouse.hub.analytics.Occupancy;
import dev.gatehouse.hub.analytics.Revenue;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Analytics in the console: the same service layer as the API ({@link Analytics}: roles, as-of, the pure
 * metrics), drawn with chart.js from the WebJar. Every chart says which occupancy it shows, every figure
 * carries its definition and links to the rows behind it.
 *
 * <pre>
 * GET /console/analytics?site=&amp;from=&amp;to=&amp;kind=&amp;asOf=   a site's four occupancies and its heatmap (view-analytics)
 * GET /console/analytics/rows?site=&amp;metric=&amp;…              the rows behind an occupancy figure
 * GET /console/analytics/revenue?from=&amp;to=&amp;asOf=          the MRR waterfall, churn and retention (finance)
 * GET /console/analytics/movements?month=&amp;kind=&amp;asOf=    the members behind a movement (finance)
 * GET /console/analytics/mrr?at=&amp;asOf=&amp;limit=&amp;cursor=  the subscriptions behind an MRR figure, 50 a page (finance)
 * </pre>
 */
public record AnalyticsPages(Analytics analytics) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/analytics", pages(this::site))
                .get("/console/analytics/rows", pages(this::rows))
                .get("/console/analytics/revenue", pages(this::revenue))
                .get("/console/analytics/movements", pages(this::movements))
                .get("/console/analytics/mrr", pages(this::mrr));
    }

    /**
     * The service layer answers a refusal as the API's {@link ApiException}; a page shows it as a page:
     * 404 as no such thing, anything else as a bad request naming what to fix.
     */
    private static io.helidon.webserver.http.Handler pages(io.helidon.webserver.http.Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (ApiException e) {
                String detail = e.errors().isEmpty()
                        ? e.getMessage()
                        : e.errors().stream()
                                .map(error -> error.field() + " " + error.message())
                                .collect(java.util.stream.Collectors.joining("; "));
                throw switch (e.status()) {
                    case 404 -> PageException.notFound(detail);
                    case 403 -> PageException.forbidden(detail);
                    default -> PageException.badRequest(detail);
                };
            }
        };
    }

    /** The page's query, as typed; a value that does not parse is an error shown beside the form. */
    public record Query(
            String site,
            LocalDate from,
            LocalDate to,
            Optional<String> kind,
            Optional<Instant> asOf,
            Map<String, String> errors) {
        /** The query string that asks the same again (for links). */
        public String string() {
            return "site=" + site + "&from=" + from + "&to=" + to
                    + kind.map(k -> "&kind=" + k.toLowerCase(Locale.ROOT).replace('_', '-'))
                            .orElse("")
                    + asOf.map(a -> "&asOf=" + a).orElse("");
        }
    }

    /** The parameter parsed, or a 400 page saying what to write instead. */
    private static <T> Optional<T> parsed(
            UriQuery query, String name, java.util.function.Function<String, T> parser, String example) {
        try {
            return one(query, name).map(parser);
        } catch (RuntimeException e) {
            throw PageException.badRequest("The " + name + " '"
                    + one(query, name).orElse("") + "' is not understood; write it like " + example + ".");
        }
    }

    private static Optional<String> one(UriQuery query, String name) {
        return query.contains(name) && !query.get(name).isBlank()
                ? Optional.of(query.get(name).strip())
                : Optional.empty();
    }

    private Query query(ServerRequest req, ConsoleSession session, List<AnalyticsStore.Site> sites) {
        UriQuery q = req.query();
        Map<String, String> errors = new LinkedHashMap<>();
        String site =
                one(q, "site").orElse(sites.isEmpty() ? "" : sites.getFirst().id());
        Optional<Instant> asOf = Optional.empty();
        if (one(q, "asOf").isPresent()) {
            try {
                asOf = Optional.of(Instant.parse(one(q, "asOf").get()));
            } catch (DateTimeParseException e) {
                errors.put("asOf", "As of must be an instant such as 2027-03-01T09:00:00Z.");
            }
        }
        LocalDate today = analytics
                .asOf(asOf.filter(a -> !a.isAfter(analytics.clock().instant())))
                .atZone(sites.stream()
                        .filter(s -> s.id().equals(site))
                        .findFirst()
                        .map(AnalyticsStore.Site::zone)
                        .orElse(java.time.ZoneOffset.UTC))
                .toLocalDate();
        LocalDate to = day(q, "to", errors).orElse(today);
        LocalDate from = day(q, "from", errors).orElse(to.minusDays(6));
        Optional<String> kind = Optional.empty();
        if (one(q, "kind").isPresent()) {
            String name = one(q, "kind").get().toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                kind = Optional.of(
                        dev.gatehouse.hub.sites.ResourceKind.valueOf(name).name());
            } catch (IllegalArgumentException e) {
                errors.put("kind", "Choose one of the resource kinds.");
            }
        }
        return new Query(site, from, to, kind, asOf, errors);
    }

    private static Optional<LocalDate> day(UriQuery q, String name, Map<String, String> errors) {
        try {
            return one(q, name).map(LocalDate::parse);
        } catch (DateTimeParseException e) {
            errors.put(name, "Enter a date as YYYY-MM-DD.");
            return Optional.empty();
        }
    }

    /** What the site page shows. */
    public record SiteView(
            List<AnalyticsStore.Site> sites, Query query, Optional<Analytics.SiteReport> report, String chartJson) {
        public String rows(String metric) {
            return "/console/analytics/rows?metric=" + metric + "&" + query.string();
        }

        public String percent(Optional<Double> ratio) {
            return ratio.map(v -> String.format(Locale.ROOT, "%.1f %%", v * 100))
                    .orElse("–");
        }

        public String hours(long ms) {
            return String.format(Locale.ROOT, "%.1f h", ms / 3_600_000.0);
        }

        /** Booked ÷ bookable hours over all the report's resources. */
        public Optional<Double> utilisation() {
            return ratio(Occupancy.Use::bookedMs);
        }

        /** Checked-in ÷ bookable hours over all the report's resources. */
        public Optional<Double> actual() {
            return ratio(Occupancy.Use::checkedInMs);
        }

        private Optional<Double> ratio(java.util.function.ToLongFunction<Occupancy.Use> part) {
            List<Occupancy.Use> uses = report.orElseThrow().utilisation();
            long bookable = uses.stream().mapToLong(Occupancy.Use::bookableMs).sum();
            return bookable == 0
                    ? Optional.empty()
                    : Optional.of((double) uses.stream().mapToLong(part).sum() / bookable);
        }

        public List<String> days() {
            return List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");
        }

        /** A heatmap cell's shade from 0 to 4 (also written as its number: colour never carries meaning alone). */
        public int shade(Heatmap.Cell cell, double max) {
            return max <= 0 ? 0 : (int) Math.ceil(cell.averagePeople().orElse(0.0) / max * 4);
        }

        public double maxAverage() {
            double max = 0;
            for (int d = 0; d < 7; d++) {
                for (int h = 0; h < 24; h++) {
                    max = Math.max(
                            max,
                            report.orElseThrow()
                                    .heatmap()
                                    .cell(d, h)
                                    .averagePeople()
                                    .orElse(0.0));
                }
            }
            return max;
        }
    }

    private void site(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_ANALYTICS);
        ConsolePage page = Guard.pageFor(session, "analytics.title", "/console/analytics");
        List<AnalyticsStore.Site> sites = analytics.sites(session.tenant().id(), session.access());
        Query query = query(req, session, sites);
        Optional<Analytics.SiteReport> report = Optional.empty();
        Map<String, String> errors = new LinkedHashMap<>(query.errors());
        if (errors.isEmpty() && !query.site().isEmpty()) {
            if (!session.access().covers(query.site())) {
                throw PageException.notFound("There is no site " + query.site() + ".");
            }
            try {
                report = Optional.of(analytics.report(
                        session.tenant().id(),
                        session.access(),
                        query.site(),
                        new Analytics.Period(query.from(), query.to()),
                        query.kind(),
                        analytics.asOf(query.asOf())));
            } catch (ApiException e) {
                if (e.status() == 404) {
                    throw PageException.notFound("There is no site " + query.site() + ".");
                }
                e.errors().forEach(error -> errors.put(error.field(), error.message()));
                if (e.errors().isEmpty()) {
                    errors.put("site", e.getMessage());
                }
            }
        }
        Query shown = new Query(query.site(), query.from(), query.to(), query.kind(), query.asOf(), errors);
        Templates.render(
                res,
                "analytics.jte",
                Map.of(
                        "page",
                        page,
                        "view",
                        new SiteView(
                                sites,
                                shown,
                                report,
                                report.map(AnalyticsPages::chartJson).orElse("{}"))));
    }

    /** The charts' data for analytics.js, as JSON in the page (no inline script). */
    private static String chartJson(Analytics.SiteReport r) {
        List<String> labels = new ArrayList<>();
        List<Integer> people = new ArrayList<>();
        for (Occupancy.HourCount h : r.physical().hours()) {
            labels.add(h.hour()
                    .atZone(r.site().zone())
                    .toLocalDateTime()
                    .toString()
                    .replace('T', ' '));
            people.add(h.people());
        }
        List<String> resources = new ArrayList<>();
        List<Double> booked = new ArrayList<>();
        List<Double> actual = new ArrayList<>();
        for (Occupancy.Use use : r.utilisation()) {
            resources.add(use.resource().name());
            booked.add(use.booked().orElse(0.0) * 100);
            actual.add(use.actual().orElse(0.0) * 100);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("hours", labels);
        data.put("people", people);
        data.put("capacity", r.physical().capacity());
        data.put("resources", resources);
        data.put("booked", booked);
        data.put("actual", actual);
        try {
            return Json.MAPPER.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the chart data", e);
        }
    }

    /** A table of rows behind one figure: its title, definition, headings, and each row's cells with links. */
    public record RowsView(
            String title,
            String definition,
            String back,
            List<String> headings,
            List<List<Cell>> rows,
            Optional<Pager> pager) {}

    /**
     * Where a paged table is: what it sums over all its rows ({@code total}, {@code count}), which rows
     * this page shows ({@code first} to {@code last}, 1-based), and the links to the pages around it.
     */
    public record Pager(
            String total, int count, int first, int last, Optional<String> previous, Optional<String> next) {}

    /** A table cell: its text and, for a member, booking or month, where it links to. */
    public record Cell(String text, Optional<String> href) {}

    private static Cell cell(String key, Object value) {
        String text = String.valueOf(value);
        Optional<String> href =
                switch (key) {
                    case "memberId" -> Optional.of("/console/members/" + text);
                    case "bookingId" -> Optional.of("/console/bookings/" + text);
                    default -> Optional.empty();
                };
        return new Cell(text, href);
    }

    private static RowsView table(String title, String definition, String back, List<Map<String, Object>> items) {
        return table(title, definition, back, items, Optional.empty());
    }

    private static RowsView table(
            String title, String definition, String back, List<Map<String, Object>> items, Optional<Pager> pager) {
        List<String> headings =
                items.isEmpty() ? List.of() : List.copyOf(items.getFirst().keySet());
        List<List<Cell>> rows = new ArrayList<>();
        for (Map<String, Object> item : items) {
            List<Cell> cells = new ArrayList<>();
            for (String key : headings) {
                cells.add(cell(key, item.get(key)));
            }
            rows.add(cells);
        }
        return new RowsView(title, definition, back, headings, rows, pager);
    }

    private void rows(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_ANALYTICS);
        ConsolePage page = Guard.pageFor(session, "analytics.rows.title", "/console/analytics");
        List<AnalyticsStore.Site> sites = analytics.sites(session.tenant().id(), session.access());
        Query query = query(req, session, sites);
        if (!session.access().covers(query.site())) {
            throw PageException.notFound("There is no site " + query.site() + ".");
        }
        String metric = one(req.query(), "metric").orElse("");
        Optional<Instant> hour = parsed(req.query(), "hour", Instant::parse, "2027-03-01T09:00:00Z");
        Optional<String> resource = one(req.query(), "resourceId");
        Analytics.SiteReport report = analytics.report(
                session.tenant().id(),
                session.access(),
                query.site(),
                new Analytics.Period(query.from(), query.to()),
                query.kind(),
                analytics.asOf(query.asOf()));
        if (metric.equals("present") && !session.access().may(Permission.VIEW_ACCESS_LOG)) {
            throw PageException.forbidden("Who was present is the access log, which your role may not read;"
                    + " the counts on the occupancy page are yours to see.");
        }
        Map<String, Object> rows = analytics.rows(session.access(), report, metric, hour, resource);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) rows.get("items");
        String title =
                switch (metric) {
                    case "present" ->
                        "Physical occupancy: people present "
                                + hour.map(h -> "in the hour from "
                                                + h.atZone(report.site().zone())
                                                        .toLocalDateTime()
                                                        .toString()
                                                        .replace('T', ' '))
                                        .orElse("");
                    case "sold" -> "Sold occupancy: contracts";
                    case "bookings" -> "Utilisation: bookings";
                    default -> "No-show rate: decided bookings";
                };
        showRows(
                res,
                page,
                table(title, String.valueOf(rows.get("definition")), "/console/analytics?" + query.string(), items));
    }

    private static void showRows(ServerResponse res, ConsolePage page, RowsView view) {
        Templates.render(res, "analytics-rows.jte", Map.of("page", page, "view", view));
    }

    /** What the revenue page shows. */
    public record RevenueView(
            YearMonth from, YearMonth to, Instant asOf, String zone, List<Revenue.Month> months, String chartJson) {
        public String money(long minor) {
            return BookingTimes.money(minor);
        }

        /** The subscriptions behind the MRR at an instant (a month's starting or ending figure). */
        public String mrr(Instant at) {
            return "/console/analytics/mrr?at=" + at + "&asOf=" + asOf;
        }

        public String movements(Revenue.Month m, Revenue.Kind kind) {
            return "/console/analytics/movements?month=" + m.month() + "&kind="
                    + kind.name().toLowerCase(Locale.ROOT) + "&asOf=" + asOf;
        }

        public String percent(Optional<Double> ratio) {
            return ratio.map(v -> String.format(Locale.ROOT, "%.1f %%", v * 100))
                    .orElse("–");
        }

        public List<Revenue.Kind> kinds() {
            return List.of(Revenue.Kind.values());
        }

        public String definition() {
            return Revenue.WATERFALL_DEFINITION;
        }

        public String mrrDefinition() {
            return Revenue.MRR_DEFINITION;
        }

        public String churnDefinition() {
            return Revenue.CHURN_DEFINITION;
        }
    }

    private void revenue(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        ConsolePage page = Guard.pageFor(session, "analytics.revenue.title", "/console/analytics");
        Instant asOf = analytics.asOf(parsed(req.query(), "asOf", Instant::parse, "2027-03-01T09:00:00Z"));
        java.time.ZoneId zone = analytics.zone(session.tenant().id(), session.access());
        YearMonth to = parsed(req.query(), "to", YearMonth::parse, "2027-03").orElse(YearMonth.from(asOf.atZone(zone)));
        YearMonth from =
                parsed(req.query(), "from", YearMonth::parse, "2027-03").orElse(to.minusMonths(11));
        if (from.isAfter(to) || from.plusMonths(60).isBefore(to)) {
            throw PageException.badRequest("Choose from 1 to 60 months, the first before the last.");
        }
        Revenue revenue = analytics.revenue(session.tenant().id(), session.access(), asOf);
        List<Revenue.Month> months = revenue.waterfall(from, to, zone);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("months", months.stream().map(m -> m.month().toString()).toList());
        for (Revenue.Kind kind : Revenue.Kind.values()) {
            data.put(
                    kind.name().toLowerCase(Locale.ROOT),
                    months.stream().map(m -> m.moved(kind) / 100.0).toList());
        }
        data.put("ending", months.stream().map(m -> m.ending() / 100.0).toList());
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the chart data", e);
        }
        Templates.render(
                res,
                "analytics-revenue.jte",
                Map.of("page", page, "view", new RevenueView(from, to, asOf, zone.getId(), months, json)));
    }

    private void movements(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        ConsolePage page = Guard.pageFor(session, "analytics.rows.title", "/console/analytics/revenue");
        Instant asOf = analytics.asOf(parsed(req.query(), "asOf", Instant::parse, "2027-03-01T09:00:00Z"));
        YearMonth month = parsed(req.query(), "month", YearMonth::parse, "2027-03")
                .orElseThrow(() -> PageException.badRequest("Name the month of the movements, like 2027-03."));
        Optional<Revenue.Kind> kind =
                parsed(req.query(), "kind", k -> Revenue.Kind.valueOf(k.toUpperCase(Locale.ROOT)), "new or churn");
        Revenue.Month m = analytics
                .revenue(session.tenant().id(), session.access(), asOf)
                .month(month, analytics.zone(session.tenant().id(), session.access()));
        List<Map<String, Object>> items = new ArrayList<>();
        for (Revenue.Movement movement : m.members()) {
            if (kind.map(k -> k == movement.kind()).orElse(true)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("memberId", movement.memberId());
                row.put("kind", movement.kind().name().toLowerCase(Locale.ROOT));
                row.put("before", BookingTimes.money(movement.before()));
                row.put("after", BookingTimes.money(movement.after()));
                row.put("amount", BookingTimes.money(movement.amount()));
                items.add(row);
            }
        }
        showRows(
                res,
                page,
                table(
                        "MRR movements of " + month
                                + kind.map(k -> ": " + k.name().toLowerCase(Locale.ROOT))
                                        .orElse(""),
                        Revenue.WATERFALL_DEFINITION,
                        "/console/analytics/revenue?asOf=" + asOf,
                        items));
    }

    /** Rows a page of the MRR drill-down shows. */
    static final int MRR_PAGE = 50;

    private void mrr(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        ConsolePage page = Guard.pageFor(session, "analytics.rows.title", "/console/analytics/revenue");
        Instant asOf = analytics.asOf(parsed(req.query(), "asOf", Instant::parse, "2027-03-01T09:00:00Z"));
        Instant at = parsed(req.query(), "at", Instant::parse, "2027-03-01T00:00:00Z")
                .orElse(asOf);
        Optional<dev.gatehouse.hub.store.Cursor> after = one(req.query(), "cursor")
                .map(text -> dev.gatehouse.hub.store.Cursor.decode(text)
                        .filter(c -> c.key() == 0)
                        .orElseThrow(() -> PageException.badRequest(
                                "The cursor is not one of this list's pages; follow the next and previous links.")));
        int limit = parsed(req.query(), "limit", Integer::parseInt, "50").orElse(MRR_PAGE);
        if (limit < 1 || limit > dev.gatehouse.hub.web.Paging.MAX_LIMIT) {
            throw PageException.badRequest(
                    "Show from 1 to " + dev.gatehouse.hub.web.Paging.MAX_LIMIT + " rows a page, not " + limit + ".");
        }
        Analytics.MrrPage mrr = analytics.mrrPage(session.tenant().id(), session.access(), asOf, at, limit, after);
        List<Map<String, Object>> items = new ArrayList<>();
        for (Revenue.Line line : mrr.lines()) {
            var r = line.revision();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("subscriptionId", r.subscriptionId());
            row.put("memberId", r.memberId());
            row.put("siteId", r.siteId());
            row.put("packageKind", r.packageKind().toLowerCase(Locale.ROOT).replace('_', '-'));
            row.put("price", BookingTimes.money(r.price()));
            row.put("interval", r.interval().toLowerCase(Locale.ROOT).replace('_', '-'));
            row.put("mrr", BookingTimes.money(line.mrr()));
            items.add(row);
        }
        String self = "/console/analytics/mrr?at=" + mrr.at() + "&asOf=" + asOf
                + (limit == MRR_PAGE ? "" : "&limit=" + limit);
        Pager pager = new Pager(
                BookingTimes.money(mrr.mrr()),
                mrr.count(),
                mrr.start() + 1,
                mrr.start() + mrr.lines().size(),
                mrr.hasPrevious()
                        ? Optional.of(self
                                + mrr.previousCursor().map(c -> "&cursor=" + c).orElse(""))
                        : Optional.empty(),
                mrr.nextCursor().map(c -> self + "&cursor=" + c));
        showRows(
                res,
                page,
                table(
                        "MRR at "
                                + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                                        .withZone(java.time.ZoneOffset.UTC)
                                        .format(mrr.at())
                                + ": the subscriptions in it",
                        Revenue.MRR_DEFINITION,
                        "/console/analytics/revenue?asOf=" + asOf,
                        items,
                        Optional.of(pager)));
    }
}
