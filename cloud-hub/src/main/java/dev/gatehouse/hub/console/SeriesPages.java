package dev.gatehouse.hub.console;

import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.bookings.SeriesRule;
import dev.gatehouse.hub.bookings.SeriesStore;
import dev.gatehouse.hub.bookings.SeriesView;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A booking series for operators: its rule in words, and each occurrence with its state — booked
 * (moved, when it no longer keeps the rule's time), cancelled, or left out; a left-out occurrence whose
 * time another booking holds names that booking (what a series made with {@code skip-conflicts} skipped).
 * Cancelling the whole series goes through {@link SeriesStore#cancel}, as the API's, and is audited as
 * {@code booking-series.cancel}.
 *
 * <pre>
 * GET  /console/booking-series/{seriesId}          the series (VIEW_SITES, for a site of the operator's)
 * POST /console/booking-series/{seriesId}/cancel   cancel what has not started (MANAGE_BOOKINGS for its site)
 * </pre>
 */
public record SeriesPages(
        Console.Parts parts, SiteStore sites, ResourceStore resources, BookingStore bookings, SeriesStore series)
        implements HttpService {

    public SeriesPages(Console.Parts parts) {
        this(
                parts,
                new SiteStore(parts.database(), parts.clock()),
                new ResourceStore(parts.database(), parts.clock()),
                new BookingStore(parts.database(), parts.clock()),
                new SeriesStore(parts.database(), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/booking-series/{seriesId}", this::show)
                .post("/console/booking-series/{seriesId}/cancel", this::cancel);
    }

    /** An occurrence's state on the page. */
    public enum State {
        BOOKED,
        MOVED,
        CANCELLED,
        CONFLICT,
        LEFT_OUT;

        public String css() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One occurrence: when it is (its own time; for one left out, the rule's), its state, its booking
     * (none when left out) and, for a conflict, the booking that holds its time.
     */
    public record Row(
            String recurrenceId, String when, State state, Optional<String> bookingId, Optional<String> conflictWith) {}

    /** The page: the series, where and what it books, its rule in words and its occurrences. */
    public record Details(
            SeriesView series,
            Views.SiteView site,
            String resource,
            String rule,
            String starts,
            List<Row> rows,
            boolean mayCancel) {
        public Details {
            rows = List.copyOf(rows);
        }

        public boolean live() {
            return series.cancelledAt() == null;
        }

        public long count(State state) {
            return rows.stream().filter(r -> r.state() == state).count();
        }
    }

    private SeriesView find(ConsoleSession session, String id) {
        return series.find(session.tenant().id(), id)
                .filter(s -> session.access().covers(s.siteId()))
                .orElseThrow(() -> PageException.notFound("There is no booking series " + Ids.printable(id) + "."));
    }

    private void show(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        SeriesView found = find(session, req.path().pathParameters().get("seriesId"));
        String tenantId = session.tenant().id();
        Views.SiteView site = sites.site(tenantId, found.siteId()).orElseThrow();
        ZoneId zone = ZoneId.of(found.timeZone());
        Messages t = Guard.messages();
        LocalDateTime start = SeriesRule.parseLocal(found.start());
        Details details = new Details(
                found,
                site,
                resources.find(tenantId, found.resourceId()).map(Resource::name).orElse(found.resourceId()),
                SeriesWords.describe(
                        found.rrule(),
                        start,
                        found.durationMinutes(),
                        zone,
                        found.exdates().size(),
                        t),
                BookingTimes.day(start.toLocalDate(), t.locale()),
                rows(tenantId, found, zone, t.locale()),
                session.access().may(Permission.MANAGE_BOOKINGS, found.siteId()) && found.cancelledAt() == null);
        Templates.render(
                res,
                "booking-series.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "series.title", "/console/bookings"),
                        "details",
                        details,
                        "notice",
                        req.query()
                                .first("notice")
                                .asOptional()
                                .filter(n -> n.equals("cancelled") || n.equals("booked"))));
    }

    /**
     * The occurrences, by their original start: each booked one as its booking is, and each EXDATE
     * without a booking as left out — or, when a live booking of the resource (or of the room it is part
     * of, or of a part) holds that time now, as a conflict with it.
     */
    private List<Row> rows(String tenantId, SeriesView found, ZoneId zone, Locale locale) {
        List<Row> rows = new ArrayList<>();
        Set<String> booked = new HashSet<>();
        for (SeriesView.Occurrence o : found.occurrences()) {
            booked.add(o.recurrenceId());
            State state = o.status().equals("cancelled") ? State.CANCELLED : o.moved() ? State.MOVED : State.BOOKED;
            rows.add(new Row(
                    o.recurrenceId(),
                    BookingTimes.when(Instant.parse(o.start()), Instant.parse(o.end()), zone, locale),
                    state,
                    Optional.of(o.bookingId()),
                    Optional.empty()));
        }
        Duration length = Duration.ofMinutes(found.durationMinutes());
        for (String exdate : found.exdates()) {
            if (booked.contains(exdate)) {
                continue; // an occurrence cancelled one by one: its booking says so
            }
            Instant from = ZonedDateTime.of(SeriesRule.parseLocal(exdate), zone).toInstant();
            Instant until = from.plus(length);
            Optional<String> holder = bookings.busy(tenantId, found.siteId(), from, until).stream()
                    .filter(b -> b.resourceId().equals(found.resourceId()))
                    .map(BookingStore.Busy::bookingId)
                    .findFirst();
            rows.add(new Row(
                    exdate,
                    BookingTimes.when(from, until, zone, locale),
                    holder.isPresent() ? State.CONFLICT : State.LEFT_OUT,
                    Optional.empty(),
                    holder));
        }
        rows.sort(Comparator.comparing(Row::recurrenceId));
        return rows;
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_BOOKINGS);
        Forms.read(req, session);
        SeriesView current = find(session, req.path().pathParameters().get("seriesId"));
        if (!session.access().may(Permission.MANAGE_BOOKINGS, current.siteId())) {
            throw PageException.notFound("There is no booking series " + current.id() + ".");
        }
        SeriesView after =
                switch (series.cancel(session.tenant().id(), current.id(), Optional.empty())) {
                    case StoreResult.Found<SeriesView> done -> done.value();
                    case StoreResult.NotFound<SeriesView> gone ->
                        throw PageException.notFound("There is no booking series " + current.id() + ".");
                    case StoreResult.Conflict<SeriesView> conflict -> throw PageException.badRequest(conflict.reason());
                    case StoreResult.Invalid<SeriesView> invalid ->
                        throw PageException.badRequest(invalid.errors().toString());
                };
        if (!after.status().equals(current.status()) || !after.occurrences().equals(current.occurrences())) {
            parts.audit()
                    .record(
                            req,
                            session.caller(),
                            "booking-series.cancel",
                            "booking-series",
                            current.id(),
                            current.siteId(),
                            current,
                            after);
        }
        SignInService.redirect(res, "/console/booking-series/" + current.id() + "?notice=cancelled");
    }
}
