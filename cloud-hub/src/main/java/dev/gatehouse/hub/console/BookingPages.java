package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.bookings.SeriesStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The bookings of a site's rooms and desks, for operators: the day view and a booking's page, with
 * cancelling. Everything goes through the stores the API uses ({@link BookingStore}, {@link
 * ResourceStore}) and is audited as from the API ({@code booking.cancel}).
 *
 * <pre>
 * GET  /console/bookings?site=&amp;date=          the day view of one site (VIEW_SITES)
 * GET  /console/bookings/grid?site=&amp;date=     its grid alone (htmx polls it every 5 s)
 * GET  /console/bookings/{bookingId}            a booking (VIEW_SITES; the member's name with VIEW_MEMBERS)
 * POST /console/bookings/{bookingId}/cancel     cancel it (MANAGE_BOOKINGS)
 * </pre>
 *
 * New bookings are {@link BookingFormPages}'s, resources {@link ResourcePages}'s.
 */
public record BookingPages(
        Console.Parts parts,
        SiteStore sites,
        ResourceStore resources,
        BookingStore bookings,
        MemberStore members,
        AccountStore accounts,
        SeriesStore series)
        implements HttpService {

    public BookingPages(Console.Parts parts) {
        this(
                parts,
                new SiteStore(parts.database(), parts.clock()),
                new ResourceStore(parts.database(), parts.clock()),
                new BookingStore(parts.database(), parts.clock()),
                new MemberStore(parts.database(), parts.clock()),
                new AccountStore(parts.database(), parts.clock()),
                new SeriesStore(parts.database(), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/bookings", this::day)
                .get("/console/bookings/grid", this::grid)
                .get("/console/bookings/{bookingId}", this::booking)
                .post("/console/bookings/{bookingId}/cancel", this::cancel);
    }

    /** The day view's parts: the operator's sites, the one shown, the day and its grid. */
    public record Day(
            List<Views.SiteView> sites,
            Views.SiteView site,
            LocalDate date,
            String dayLabel,
            DayGrid grid,
            boolean mayBook,
            boolean mayManageResources) {
        public Day {
            sites = List.copyOf(sites);
        }

        public String query(LocalDate day) {
            return "site=" + site.id() + "&date=" + day;
        }
    }

    private Day dayOf(ServerRequest req, ConsoleSession session) {
        List<Views.SiteView> mine =
                sites.sites(session.tenant().id(), session.access().siteIds());
        Optional<String> asked = req.query().first("site").asOptional();
        Views.SiteView site = asked.map(id -> mine.stream()
                        .filter(s -> s.id().equals(id))
                        .findFirst()
                        .orElseThrow(() -> PageException.notFound("There is no site " + id + ".")))
                .or(() -> mine.stream().findFirst())
                .orElseThrow(() -> PageException.notFound("There is no site yet: add one first."));
        ZoneId zone = ZoneId.of(site.timeZone());
        Instant now = parts.clock().instant();
        LocalDate date = req.query()
                .first("date")
                .asOptional()
                .flatMap(BookingTimes::date)
                .orElse(now.atZone(zone).toLocalDate());
        String tenantId = session.tenant().id();
        Instant from = date.atStartOfDay(zone).toInstant();
        Instant until = date.plusDays(1).atStartOfDay(zone).toInstant();
        Map<String, BookingView> live = new HashMap<>();
        for (BookingView b : bookings.list(tenantId, site.id(), from, until, Optional.empty())) {
            if (b.cancelledAt() == null) {
                live.put(b.id(), b);
            }
        }
        DayGrid grid = DayGrid.build(
                date,
                zone,
                now,
                resources.list(tenantId, site.id()),
                bookings.busy(tenantId, site.id(), from, until),
                live,
                names(session));
        return new Day(
                mine,
                site,
                date,
                BookingTimes.day(date, Guard.messages().locale()),
                grid,
                session.access().may(Permission.MANAGE_BOOKINGS, site.id()),
                session.access().may(Permission.MANAGE_SITES, site.id()));
    }

    /** Members' names for an operator who may see members; nothing for one who may not. */
    private Function<String, Optional<String>> names(ConsoleSession session) {
        if (!session.access().may(Permission.VIEW_MEMBERS)) {
            return id -> Optional.empty();
        }
        Map<String, Optional<String>> known = new HashMap<>();
        return id -> known.computeIfAbsent(
                id, member -> members.find(session.tenant().id(), member).map(MemberStore.MemberView::fullName));
    }

    private void day(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Day day = dayOf(req, session);
        Templates.render(
                res,
                "bookings-day.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "bookings.title", "/console/bookings"),
                        "day",
                        day,
                        "notice",
                        req.query().first("notice").asOptional().filter("cancelled"::equals)));
    }

    private void grid(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Templates.render(
                res,
                "bookings-grid.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "bookings.title", "/console/bookings"),
                        "day",
                        dayOf(req, session)));
    }

    /** A booking's page: the booking, its resource and site, who it is for and who made it. */
    public record Details(
            BookingView booking,
            Views.SiteView site,
            Optional<Resource> resource,
            Optional<String> member,
            String madeBy,
            String when,
            String occupied,
            String made,
            Optional<String> cancelled,
            boolean mayCancel,
            Optional<String> seriesId) {
        public boolean live() {
            return booking.cancelledAt() == null;
        }

        public String price() {
            return BookingTimes.money(booking.price());
        }

        public String dayQuery() {
            return "site=" + site.id() + "&date=" + BookingTimes.isoDate(Instant.parse(booking.start()), zone());
        }

        ZoneId zone() {
            return ZoneId.of(site.timeZone());
        }
    }

    private BookingView find(ConsoleSession session, String id) {
        return bookings.find(session.tenant().id(), id)
                .filter(b -> session.access().covers(b.siteId()))
                .orElseThrow(() -> PageException.notFound("There is no booking " + id + "."));
    }

    private void booking(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        BookingView booking = find(session, req.path().pathParameters().get("bookingId"));
        String tenantId = session.tenant().id();
        Views.SiteView site = sites.site(tenantId, booking.siteId()).orElseThrow();
        ZoneId zone = ZoneId.of(site.timeZone());
        java.util.Locale locale = Guard.messages().locale();
        Messages t = Guard.messages();
        String madeBy = booking.createdBy().equals(booking.memberId())
                ? t.get("booking.made-by.member")
                : accounts.byId(tenantId, booking.createdBy())
                        .map(a -> a.name().isBlank() ? a.email() : a.name() + " (" + a.email() + ")")
                        .orElse(booking.createdBy());
        Details details = new Details(
                booking,
                site,
                resources.find(tenantId, booking.resourceId()),
                names(session).apply(booking.memberId()),
                madeBy,
                BookingTimes.when(Instant.parse(booking.start()), Instant.parse(booking.end()), zone, locale),
                BookingTimes.when(
                        Instant.parse(booking.occupiedFrom()), Instant.parse(booking.occupiedUntil()), zone, locale),
                Formats.dateTime(Instant.parse(booking.createdAt()), zone, locale),
                Optional.ofNullable(booking.cancelledAt()).map(at -> Formats.dateTime(Instant.parse(at), zone, locale)),
                session.access().may(Permission.MANAGE_BOOKINGS, booking.siteId()) && booking.cancelledAt() == null,
                series.seriesOf(tenantId, booking.id()));
        Templates.render(
                res,
                "booking.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "booking.title", "/console/bookings"),
                        "details",
                        details,
                        "notice",
                        req.query().first("notice").asOptional().filter(n -> List.of("booked", "cancelled")
                                .contains(n))));
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_BOOKINGS);
        Forms.read(req, session);
        BookingView current = find(session, req.path().pathParameters().get("bookingId"));
        if (!session.access().may(Permission.MANAGE_BOOKINGS, current.siteId())) {
            throw PageException.notFound("There is no booking " + current.id() + ".");
        }
        BookingView cancelled =
                switch (bookings.cancel(session.tenant().id(), current.id())) {
                    case dev.gatehouse.hub.store.StoreResult.Found<BookingView> found -> found.value();
                    case dev.gatehouse.hub.store.StoreResult.NotFound<BookingView> gone ->
                        throw PageException.notFound("There is no booking " + current.id() + ".");
                    case dev.gatehouse.hub.store.StoreResult.Conflict<BookingView> conflict ->
                        throw PageException.badRequest(conflict.reason());
                    case dev.gatehouse.hub.store.StoreResult.Invalid<BookingView> invalid ->
                        throw PageException.badRequest(invalid.errors().toString());
                };
        if (!current.status().equals(cancelled.status())) {
            parts.audit()
                    .record(
                            req,
                            session.caller(),
                            "booking.cancel",
                            "booking",
                            current.id(),
                            current.siteId(),
                            current,
                            cancelled);
        }
        SignInService.redirect(res, "/console/bookings/" + current.id() + "?notice=cancelled");
    }
}
