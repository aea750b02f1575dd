package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.QueryParameters;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Analytics over the API; every figure comes with its definition and a link to the rows behind it.
 *
 * <pre>
 * GET /api/v1/analytics/mrr                        MRR at an instant and a page of the subscriptions in it (finance)
 * GET /api/v1/analytics/mrr/waterfall              monthly waterfall, churn and retention (finance)
 * GET /api/v1/analytics/mrr/movements              the members behind one month's movement (finance)
 * GET /api/v1/analytics/cohorts                    retention by monthly cohort (finance)
 * GET /api/v1/analytics/renewals                   contracts ending within 30/60/90 days (finance)
 * GET /api/v1/analytics/sites/{siteId}/occupancy   physical, sold, utilisation, no-shows (view-analytics)
 * GET /api/v1/analytics/sites/{siteId}/heatmap     7 × 24 hour-of-week grid in local time (view-analytics)
 * GET /api/v1/analytics/sites/{siteId}/rows        the rows behind an occupancy figure (view-analytics)
 * PUT /api/v1/analytics/sites/{siteId}/targets     capacity, desks, hot-desk coefficient (manage-sites)
 * GET /api/v1/analytics/sites/{siteId}/weekly-report/pdf   a week's report as PDF (view-analytics)
 * POST /api/v1/analytics/sites/{siteId}/weekly-report      mails it, PDF attached (view-analytics)
 * </pre>
 */
public record AnalyticsService(Analytics analytics, Audit audit, Mailer mailer, int maxBody) implements HttpService {
    private static final String BASE = "/api/v1/analytics";

    @Override
    public void routing(HttpRules rules) {
        rules.get("/analytics/mrr", this::mrr)
                .get("/analytics/mrr/waterfall", this::waterfall)
                .get("/analytics/mrr/movements", this::movements)
                .get("/analytics/cohorts", this::cohorts)
                .get("/analytics/renewals", this::renewals)
                .get("/analytics/sites/{siteId}/occupancy", this::occupancy)
                .get("/analytics/sites/{siteId}/heatmap", this::heatmap)
                .get("/analytics/sites/{siteId}/rows", this::rows)
                .put("/analytics/sites/{siteId}/targets", this::targets)
                .get("/analytics/sites/{siteId}/weekly-report/pdf", this::weeklyPdf)
                .post("/analytics/sites/{siteId}/weekly-report", this::weeklyMail);
    }

    // ---- query parameters ----------------------------------------------------------------------

    static Optional<YearMonth> month(QueryParameters q, String name) {
        return q.one(name).flatMap(text -> {
            try {
                return Optional.of(YearMonth.parse(text));
            } catch (DateTimeParseException e) {
                return q.error(name, "'" + text + "' is not a month: use YYYY-MM, e.g. 2026-03");
            }
        });
    }

    static Optional<LocalDate> day(QueryParameters q, String name) {
        return q.one(name).flatMap(text -> {
            try {
                return Optional.of(LocalDate.parse(text));
            } catch (DateTimeParseException e) {
                return q.error(name, "'" + text + "' is not a date: use YYYY-MM-DD, e.g. 2026-03-02");
            }
        });
    }

    static Optional<String> kind(QueryParameters q) {
        return q.one("kind").flatMap(text -> {
            String name = text.toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                return Optional.of(
                        dev.gatehouse.hub.sites.ResourceKind.valueOf(name).name());
            } catch (IllegalArgumentException e) {
                return q.error(
                        "kind",
                        "'" + text + "' is no resource kind; use meeting-room, phone-booth, hot-desk,"
                                + " dedicated-desk or event-space");
            }
        });
    }

    private static QueryParameters query(ServerRequest req, String... allowed) {
        return new QueryParameters(req.query(), List.of(allowed));
    }

    private static String wire(Enum<?> value) {
        return dev.gatehouse.hub.store.WireNames.wire(value);
    }

    // ---- revenue -------------------------------------------------------------------------------

    private void mrr(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        QueryParameters q = query(req, "at", "asOf", "limit", "cursor");
        Optional<Instant> at = q.instant("at");
        Optional<Instant> asked = q.instant("asOf");
        int limit = q.limit();
        Optional<dev.gatehouse.hub.store.Cursor> after = q.cursor();
        if (after.filter(c -> c.key() != 0).isPresent()) {
            // Another list's cursor (its key a time) names no place in this one.
            q.error("cursor", dev.gatehouse.hub.store.Cursor.REFUSED);
        }
        q.done();
        Instant asOf = analytics.asOf(asked);
        Analytics.MrrPage page =
                analytics.mrrPage(caller.tenantId(), caller.access(), asOf, at.orElse(asOf), limit, after);
        List<Map<String, Object>> items = new ArrayList<>();
        for (Revenue.Line line : page.lines()) {
            items.add(subscription(line.revision(), line.mrr()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("at", page.at().toString());
        body.put("asOf", asOf.toString());
        // The figure and its row count are over every row, whichever page this is.
        body.put("mrr", page.mrr());
        body.put("count", page.count());
        body.put("definition", Revenue.MRR_DEFINITION);
        body.put("limit", limit);
        body.put("items", items);
        page.nextCursor().ifPresent(cursor -> {
            body.put("nextCursor", cursor);
            // The next page as of the same instant, so the pages add up to this figure.
            body.put("next", BASE + "/mrr?at=" + page.at() + "&asOf=" + asOf + "&limit=" + limit + "&cursor=" + cursor);
        });
        Json.ok(res, body);
    }

    static Map<String, Object> subscription(Revision r, long mrr) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("subscriptionId", r.subscriptionId());
        row.put("revision", r.revision());
        row.put("memberId", r.memberId());
        row.put("siteId", r.siteId());
        row.put("packageId", r.packageId());
        row.put("packageKind", r.packageKind().toLowerCase(Locale.ROOT).replace('_', '-'));
        row.put("seats", r.seats());
        row.put("price", r.price());
        row.put("currency", r.currency());
        row.put("interval", r.interval().toLowerCase(Locale.ROOT).replace('_', '-'));
        row.put("mrr", mrr);
        row.put("recordedAt", r.recordedAt().toString());
        return row;
    }

    private record Range(YearMonth from, YearMonth to, Instant asOf) {}

    private Range range(QueryParameters q, int maxMonths) {
        Optional<YearMonth> from = month(q, "from");
        Optional<YearMonth> to = month(q, "to");
        Optional<Instant> asked = q.instant("asOf");
        q.done();
        Instant asOf = analytics.asOf(asked);
        YearMonth last = to.orElse(YearMonth.from(asOf.atZone(java.time.ZoneOffset.UTC)));
        YearMonth first = from.orElse(last.minusMonths(11));
        if (first.isAfter(last)) {
            throw ApiException.invalid("from", "is " + first + ", after to (" + last + ")");
        }
        if (first.plusMonths(maxMonths - 1).isBefore(last)) {
            throw ApiException.invalid("from", "is more than " + maxMonths + " months before to; ask for fewer months");
        }
        return new Range(first, last, asOf);
    }

    private void waterfall(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        Range range = range(query(req, "from", "to", "asOf"), 60);
        Revenue revenue = analytics.revenue(caller.tenantId(), caller.access(), range.asOf());
        ZoneId zone = analytics.zone(caller.tenantId(), caller.access());
        List<Map<String, Object>> months = new ArrayList<>();
        for (Revenue.Month m : revenue.waterfall(range.from(), range.to(), zone)) {
            months.add(month(m, range.asOf()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("asOf", range.asOf().toString());
        body.put("zone", zone.getId());
        body.put("definition", Revenue.WATERFALL_DEFINITION);
        body.put("mrrDefinition", Revenue.MRR_DEFINITION);
        body.put("churnDefinition", Revenue.CHURN_DEFINITION);
        body.put("months", months);
        Json.ok(res, body);
    }

    private static Map<String, Object> month(Revenue.Month m, Instant asOf) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("month", m.month().toString());
        row.put("start", m.start().toString());
        row.put("end", m.end().toString());
        row.put("starting", m.starting());
        for (Revenue.Kind kind : Revenue.Kind.values()) {
            row.put(wire(kind), m.moved(kind));
        }
        row.put("ending", m.ending());
        row.put("membersAtStart", m.membersAtStart());
        row.put("churnedMembers", m.churnedMembers());
        m.logoChurn().ifPresent(v -> row.put("logoChurn", v));
        m.grossRetention().ifPresent(v -> row.put("grossRetention", v));
        m.netRetention().ifPresent(v -> row.put("netRetention", v));
        row.put("movements", BASE + "/mrr/movements?month=" + m.month() + "&asOf=" + asOf);
        row.put("startingRows", BASE + "/mrr?at=" + m.start() + "&asOf=" + asOf);
        row.put("endingRows", BASE + "/mrr?at=" + m.end() + "&asOf=" + asOf);
        return row;
    }

    private void movements(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        QueryParameters q = query(req, "month", "kind", "asOf");
        Optional<YearMonth> month = month(q, "month");
        Optional<Revenue.Kind> kind = q.one("kind").flatMap(text -> dev.gatehouse.hub.store.WireNames.parse(
                        Revenue.Kind.class, text)
                .or(() -> q.error(
                        "kind",
                        "'" + text + "' is no movement; use new, reactivation, expansion, contraction or churn")));
        if (month.isEmpty() && !req.query().contains("month")) {
            q.error("month", "is required: the month (YYYY-MM) whose movements to list");
        }
        Optional<Instant> asked = q.instant("asOf");
        q.done();
        Instant asOf = analytics.asOf(asked);
        Revenue revenue = analytics.revenue(caller.tenantId(), caller.access(), asOf);
        Revenue.Month m = revenue.month(month.orElseThrow(), analytics.zone(caller.tenantId(), caller.access()));
        List<Map<String, Object>> items = new ArrayList<>();
        long total = 0;
        for (Revenue.Movement movement : m.members()) {
            if (kind.isPresent() && kind.get() != movement.kind()) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("memberId", movement.memberId());
            row.put("kind", wire(movement.kind()));
            row.put("before", movement.before());
            row.put("after", movement.after());
            row.put("amount", movement.amount());
            items.add(row);
            total += movement.amount();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("month", m.month().toString());
        body.put("asOf", asOf.toString());
        kind.ifPresent(k -> body.put("kind", wire(k)));
        body.put("total", total);
        body.put("definition", Revenue.WATERFALL_DEFINITION);
        body.put("items", items);
        Json.ok(res, body);
    }

    private void cohorts(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        Range range = range(query(req, "from", "to", "asOf"), 36);
        Revenue revenue = analytics.revenue(caller.tenantId(), caller.access(), range.asOf());
        List<Map<String, Object>> cohorts = new ArrayList<>();
        for (Revenue.Cohort cohort :
                revenue.cohorts(range.from(), range.to(), analytics.zone(caller.tenantId(), caller.access()))) {
            List<Map<String, Object>> months = new ArrayList<>();
            for (Revenue.Retained r : cohort.retained()) {
                months.add(Map.of("month", r.month().toString(), "members", r.members(), "mrr", r.mrr()));
            }
            cohorts.add(Map.of(
                    "cohort", cohort.month().toString(),
                    "size", cohort.members().size(),
                    "members", cohort.members(),
                    "retained", months));
        }
        Json.ok(
                res,
                Map.of("asOf", range.asOf().toString(), "definition", Revenue.COHORT_DEFINITION, "cohorts", cohorts));
    }

    private void renewals(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        QueryParameters q = query(req, "days", "asOf");
        Optional<Integer> days = q.one("days").flatMap(text -> switch (text) {
            case "30" -> Optional.of(30);
            case "60" -> Optional.of(60);
            case "90" -> Optional.of(90);
            default -> q.error("days", "'" + text + "' is not a window; use 30, 60 or 90");
        });
        Optional<Instant> asked = q.instant("asOf");
        q.done();
        Instant asOf = analytics.asOf(asked);
        Revenue revenue = analytics.revenue(caller.tenantId(), caller.access(), asOf);
        Map<String, ZoneId> zones = new java.util.HashMap<>();
        analytics.store().sites(caller.tenantId(), caller.access()::covers).forEach(s -> zones.put(s.id(), s.zone()));
        List<Map<String, Object>> items = new ArrayList<>();
        for (Revenue.Renewal renewal :
                revenue.renewals(days.orElse(90), site -> zones.getOrDefault(site, java.time.ZoneOffset.UTC))) {
            Map<String, Object> row = subscription(renewal.revision(), renewal.mrr());
            row.put("what", renewal.what());
            row.put("on", renewal.on().toString());
            items.add(row);
        }
        Json.ok(
                res,
                Map.of(
                        "asOf",
                        asOf.toString(),
                        "days",
                        days.orElse(90),
                        "definition",
                        Revenue.RENEWALS_DEFINITION,
                        "items",
                        items));
    }

    // ---- occupancy -----------------------------------------------------------------------------

    private void occupancy(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        QueryParameters q = query(req, "from", "to", "kind", "asOf");
        Analytics.SiteReport report = report(req, q, caller);
        Json.ok(res, Reports.occupancy(report, BASE));
    }

    private void heatmap(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        QueryParameters q = query(req, "from", "to", "kind", "asOf");
        Analytics.SiteReport report = report(req, q, caller);
        Json.ok(res, Reports.heatmap(report));
    }

    private Analytics.SiteReport report(ServerRequest req, QueryParameters q, Caller.Operator caller) {
        String siteId = PathIds.id(req, "siteId", "site");
        Optional<LocalDate> from = day(q, "from");
        Optional<LocalDate> to = day(q, "to");
        Optional<String> kind = kind(q);
        Optional<Instant> asked = q.instant("asOf");
        q.done();
        Instant asOf = analytics.asOf(asked);
        AnalyticsStore.Site site = analytics.site(caller.tenantId(), caller.access(), siteId);
        LocalDate today = asOf.atZone(site.zone()).toLocalDate();
        LocalDate last = to.orElse(today);
        Analytics.Period period = new Analytics.Period(from.orElse(last.minusDays(6)), last);
        return analytics.report(caller.tenantId(), caller.access(), siteId, period, kind, asOf);
    }

    private void rows(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        QueryParameters q = query(req, "metric", "hour", "resourceId", "from", "to", "kind", "asOf");
        Optional<String> metric = q.one("metric");
        Optional<Instant> hour = q.instant("hour");
        Optional<String> resource = q.id("resourceId");
        if (metric.isEmpty() && !req.query().contains("metric")) {
            q.error("metric", "is required: present, sold, bookings or no-shows");
        }
        Analytics.SiteReport report = report(req, q, caller);
        Json.ok(res, analytics.rows(caller.access(), report, metric.orElseThrow(), hour, resource));
    }

    private void targets(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        String siteId = PathIds.id(req, "siteId", "site");
        Input input = Input.of(Json.object(req, maxBody), "capacity", "desks", "hotDeskCoefficient");
        Optional<Integer> capacity =
                input.isNull("capacity") ? Optional.empty() : input.integer("capacity", 1, 100_000);
        Optional<Integer> desks = input.isNull("desks") ? Optional.empty() : input.integer("desks", 1, 100_000);
        Optional<Integer> percent = Optional.empty();
        if (input.has("hotDeskCoefficient")) {
            var node = input.raw().get("hotDeskCoefficient");
            if (!node.isNumber() || node.asDouble() < 1 || node.asDouble() > 20) {
                input.error("hotDeskCoefficient", "must be a number from 1 to 20 (hot-desk memberships per desk)");
            } else {
                percent = Optional.of((int) Math.round(node.asDouble() * 100));
            }
        }
        input.done();
        AnalyticsStore.Targets before = analytics.store().targets(caller.tenantId(), siteId);
        AnalyticsStore.Targets targets = new AnalyticsStore.Targets(capacity, desks, percent.orElse(100));
        analytics.setTargets(caller.tenantId(), caller.access(), siteId, targets);
        audit.record(
                req,
                caller,
                "analytics.targets",
                "site",
                siteId,
                siteId,
                Reports.targets(before),
                Reports.targets(targets));
        Json.ok(res, Reports.targets(targets));
    }

    // ---- weekly report ------------------------------------------------------------------------

    /** The report of the week starting on {@code week} (a Monday), or of the last full week before the as-of day. */
    private Analytics.SiteReport weekly(
            Caller.Operator caller, String siteId, Optional<LocalDate> week, Optional<Instant> asked) {
        Instant asOf = analytics.asOf(asked);
        AnalyticsStore.Site site = analytics.site(caller.tenantId(), caller.access(), siteId);
        if (week.filter(day -> day.getDayOfWeek() != java.time.DayOfWeek.MONDAY).isPresent()) {
            throw ApiException.invalid(
                    "week",
                    "is " + week.get() + ", a "
                            + week.get().getDayOfWeek().toString().toLowerCase(Locale.ROOT)
                            + "; name the Monday the week starts on");
        }
        LocalDate today = asOf.atZone(site.zone()).toLocalDate();
        LocalDate monday = week.orElse(
                today.minusDays(today.getDayOfWeek().getValue() - 1L).minusWeeks(1));
        return analytics.report(
                caller.tenantId(),
                caller.access(),
                siteId,
                new Analytics.Period(monday, monday.plusDays(6)),
                Optional.empty(),
                asOf);
    }

    private void weeklyPdf(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        String siteId = PathIds.id(req, "siteId", "site");
        QueryParameters q = query(req, "week", "asOf");
        Optional<LocalDate> week = day(q, "week");
        Optional<Instant> asked = q.instant("asOf");
        q.done();
        Analytics.SiteReport report = weekly(caller, siteId, week, asked);
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/pdf");
        res.header(
                io.helidon.http.HeaderNames.CONTENT_DISPOSITION,
                "attachment; filename=\"weekly-" + siteId + "-"
                        + report.period().from() + ".pdf\"");
        res.send(WeeklyReport.pdf(report));
    }

    private void weeklyMail(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        String siteId = PathIds.id(req, "siteId", "site");
        Input input = Input.of(Json.object(req, maxBody), "to", "week");
        String to = input.email("to");
        Optional<LocalDate> week = input.date("week");
        input.done();
        Analytics.SiteReport report = weekly(caller, siteId, week, Optional.empty());
        byte[] pdf = WeeklyReport.pdf(report);
        try {
            mailer.send(WeeklyReport.mail(report, to, pdf));
        } catch (Mailer.MailException e) {
            throw new ApiException(
                    502,
                    "mail-not-sent",
                    "Mail not sent",
                    "the report could not be mailed: " + e.getMessage(),
                    List.of());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sentTo", to);
        body.put("siteId", siteId);
        body.put("from", report.period().from().toString());
        body.put("to", report.period().to().toString());
        body.put("pdfBytes", pdf.length);
        audit.record(req, caller, "analytics.weekly-report", "site", siteId, siteId, null, body);
        Json.ok(res, body);
    }
}
