package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.bookings.SeriesStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.rooms.RoomStateStore;
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
 * GET  /console/bookings/grid?site=&amp;date=     its grid alone (htmx polls it every 5 s): today's rows
 *                                                also show each room's occupancy and reported A/V
 * GET  /console/bookings/{bookingId}            a booking (VIEW_SITES; the member's name with VIEW_MEMBERS)
 * POST /console/bookings/{bookingId}/cancel     cancel it (MANAGE_BOOKINGS)
 * POST /console/bookings/{bookingId}/check-in   check its member in at the front desk (MANAGE_BOOKINGS)
 * POST /console/bookings/{bookingId}/approve    approve a member's request waiting for it (MANAGE_BOOKINGS)
 * POST /console/bookings/{bookingId}/decline    decline it, with the reason the member sees (MANAGE_BOOKINGS)
 * GET  /console/bookings/requests?site=         the site's requests waiting for approval, and check-in conflicts
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
        RoomStateStore rooms,
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
                new RoomStateStore(parts.database()),
                new SeriesStore(parts.database(), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/bookings", this::day)
                .get("/console/bookings/grid", this::grid)
                .get("/console/bookings/requests", this::requests)
                .get("/console/bookings/{bookingId}", this::booking)
                .post("/console/bookings/{bookingId}/cancel", this::cancel)
                .post("/console/bookings/{bookingId}/check-in", this::checkIn)
                .post("/console/bookings/{bookingId}/approve", this::approve)
                .post("/console/bookings/{bookingId}/decline", this::decline);
    }

    /** The day view's parts: the operator's sites, the one shown, the day and its grid. */
    public record Day(
            List<Views.SiteView> sites,
            Views.SiteView site,
            LocalDate date,
            String dayLabel,
            DayGrid grid,
            boolean mayBook,
            boolean mayManageResources,
            Map<String, RoomLive> live) {
        public Day {
            sites = List.copyOf(sites);
            live = Map.copyOf(live);
        }

        /** The resource's live state, on today's view only. */
        public Optional<RoomLive> live(String resourceId) {
            return Optional.ofNullable(live.get(resourceId));
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
                session.access().may(Permission.MANAGE_SITES, site.id()),
                date.equals(now.atZone(zone).toLocalDate())
                        ? RoomLive.of(now, live.values(), rooms.site(tenantId, site.id()))
                        : Map.of());
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
            List<String> states,
            boolean mayCheckIn,
            boolean mayDecide,
            Optional<String> error,
            Optional<String> seriesId) {
        public Details {
            states = List.copyOf(states);
        }

        /** Confirmed, or a request still holding its time. */
        public boolean live() {
            return booking.status().equals("confirmed") || booking.status().equals("pending");
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
        render(
                res,
                io.helidon.http.Status.OK_200,
                session,
                booking,
                req.query().first("notice").asOptional().filter(NOTICES::contains),
                Optional.empty());
    }

    /** The notices a booking's page shows after an action, by their message keys. */
    private static final List<String> NOTICES =
            List.of("booked", "cancelled", "checked-in", "approved", "declined", "lapsed");

    private void render(
            ServerResponse res,
            io.helidon.http.Status status,
            ConsoleSession session,
            BookingView booking,
            Optional<String> notice,
            Optional<String> error) {
        String tenantId = session.tenant().id();
        Views.SiteView site = sites.site(tenantId, booking.siteId()).orElseThrow();
        ZoneId zone = ZoneId.of(site.timeZone());
        java.util.Locale locale = Guard.messages().locale();
        Messages t = Guard.messages();
        Function<String, String> who = actor -> actor.equals(booking.memberId())
                ? t.get("booking.made-by.member")
                : accounts.byId(tenantId, actor)
                        .map(a -> a.name().isBlank() ? a.email() : a.name() + " (" + a.email() + ")")
                        .orElse(actor);
        Function<String, String> at = iso -> Formats.dateTime(Instant.parse(iso), zone, locale);
        boolean manages = session.access().may(Permission.MANAGE_BOOKINGS, booking.siteId());
        Details details = new Details(
                booking,
                site,
                resources.find(tenantId, booking.resourceId()),
                names(session).apply(booking.memberId()),
                who.apply(booking.createdBy()),
                BookingTimes.when(Instant.parse(booking.start()), Instant.parse(booking.end()), zone, locale),
                BookingTimes.when(
                        Instant.parse(booking.occupiedFrom()), Instant.parse(booking.occupiedUntil()), zone, locale),
                at.apply(booking.createdAt()),
                Optional.ofNullable(booking.cancelledAt()).map(at),
                manages
                        && (booking.status().equals("confirmed")
                                || booking.status().equals("pending")),
                states(booking, t, at, who),
                manages
                        && booking.status().equals("confirmed")
                        && booking.checkIn() != null
                        && booking.checkIn().checkedInAt() == null,
                manages && booking.status().equals("pending"),
                error,
                series.seriesOf(tenantId, booking.id()));
        Templates.render(
                res,
                status,
                "booking.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "booking.title", "/console/bookings"),
                        "details",
                        details,
                        "notice",
                        notice));
    }

    /** What the booking's check-in, release and approval come to, one sentence each. */
    private static List<String> states(
            BookingView b, Messages t, Function<String, String> at, Function<String, String> who) {
        List<String> states = new java.util.ArrayList<>();
        BookingView.Approval approval = b.approval();
        if (approval != null) {
            states.add(
                    switch (b.status()) {
                        case "pending" -> t.get("booking.approval.waiting", at.apply(approval.holdUntil()));
                        case "declined" ->
                            t.get(
                                    "booking.approval.declined",
                                    at.apply(approval.decidedAt()),
                                    who.apply(approval.decidedBy()),
                                    approval.declineReason());
                        case "lapsed" -> t.get("booking.approval.lapsed", at.apply(approval.holdUntil()));
                        default ->
                            approval.decidedAt() == null
                                    ? t.get("booking.approval.withdrawn")
                                    : t.get(
                                            "booking.approval.approved",
                                            at.apply(approval.decidedAt()),
                                            who.apply(approval.decidedBy()));
                    });
        }
        BookingView.CheckIn checkIn = b.checkIn();
        if (checkIn != null) {
            states.add(
                    checkIn.checkedInAt() != null
                            ? t.get(
                                    "booking.check-in.done",
                                    at.apply(checkIn.checkedInAt()),
                                    who.apply(checkIn.checkedInBy()))
                            : t.get(
                                    "booking.check-in.needed",
                                    at.apply(checkIn.opensAt()),
                                    at.apply(checkIn.releaseAt())));
        }
        if (b.releasedAt() != null) {
            states.add(t.get(
                    "booking.released.text",
                    at.apply(b.releasedAt()),
                    "hub".equals(b.releasedBy()) ? t.get("booking.released.by-hub") : b.releasedBy()));
        }
        return List.copyOf(states);
    }

    /** The site's requests waiting for approval, and check-ins that met a rebooking of their released time. */
    public record Requests(
            Views.SiteView site,
            List<Views.SiteView> sites,
            List<Row> pending,
            List<dev.gatehouse.hub.bookings.BookingCheckIns.Conflict> conflicts) {
        public Requests {
            sites = List.copyOf(sites);
            pending = List.copyOf(pending);
            conflicts = List.copyOf(conflicts);
        }

        /** One waiting request: its booking, resource and member, when it runs and until when it holds. */
        public record Row(BookingView booking, String resource, String member, String when, String holdUntil) {}
    }

    private void requests(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Day day = dayOf(req, session);
        String tenantId = session.tenant().id();
        ZoneId zone = ZoneId.of(day.site().timeZone());
        java.util.Locale locale = Guard.messages().locale();
        Map<String, String> names = new HashMap<>();
        resources.summaries(tenantId, day.site().id()).forEach(r -> names.put(r.id(), r.name()));
        Function<String, Optional<String>> members = names(session);
        List<Requests.Row> pending = bookings.pending(tenantId, day.site().id()).stream()
                .map(b -> new Requests.Row(
                        b,
                        names.getOrDefault(b.resourceId(), b.resourceId()),
                        members.apply(b.memberId()).orElse(b.memberId()),
                        BookingTimes.when(Instant.parse(b.start()), Instant.parse(b.end()), zone, locale),
                        Formats.dateTime(Instant.parse(b.approval().holdUntil()), zone, locale)))
                .toList();
        List<dev.gatehouse.hub.bookings.BookingCheckIns.Conflict> conflicts =
                session.access().may(Permission.MANAGE_BOOKINGS, day.site().id())
                        ? new dev.gatehouse.hub.bookings.BookingCheckIns(parts.database(), parts.clock())
                                .conflicts(tenantId, day.site().id())
                        : List.of();
        Templates.render(
                res,
                "booking-requests.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "bookings.requests.title", "/console/bookings"),
                        "requests",
                        new Requests(day.site(), day.sites(), pending, conflicts)));
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_BOOKINGS);
        Forms.read(req, session);
        BookingView current = managed(session, req);
        BookingView cancelled = value(bookings.cancel(session.tenant().id(), current.id()), current);
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

    /** The booking of the path, for an operator who manages bookings at its site (404 for anyone else). */
    private BookingView managed(ConsoleSession session, ServerRequest req) {
        BookingView current = find(session, req.path().pathParameters().get("bookingId"));
        if (!session.access().may(Permission.MANAGE_BOOKINGS, current.siteId())) {
            throw PageException.notFound("There is no booking " + current.id() + ".");
        }
        return current;
    }

    private void audit(ServerRequest req, ConsoleSession session, String action, BookingView before) {
        BookingView after = find(session, before.id());
        parts.audit().record(req, session.caller(), action, "booking", before.id(), before.siteId(), before, after);
    }

    private void checkIn(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_BOOKINGS);
        Forms.read(req, session);
        BookingView current = managed(session, req);
        dev.gatehouse.hub.bookings.BookingCheckIns.Result result = value(
                new dev.gatehouse.hub.bookings.BookingCheckIns(parts.database(), parts.clock())
                        .checkIn(
                                session.tenant().id(),
                                current.id(),
                                session.caller().actorId()),
                current);
        if (result.changed()) {
            audit(req, session, "booking.check-in", current);
        } else if (result != dev.gatehouse.hub.bookings.BookingCheckIns.Result.ALREADY_CHECKED_IN) {
            render(
                    res,
                    io.helidon.http.Status.CONFLICT_409,
                    session,
                    find(session, current.id()),
                    Optional.empty(),
                    Optional.of(Guard.messages().get("booking.check-in.refused." + result.wire())));
            return;
        }
        SignInService.redirect(res, "/console/bookings/" + current.id() + "?notice=checked-in");
    }

    private void approve(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_BOOKINGS);
        Forms.read(req, session);
        BookingView current = managed(session, req);
        decided(
                req,
                res,
                session,
                current,
                value(
                        approvals()
                                .approve(
                                        session.tenant().id(),
                                        current.id(),
                                        session.caller().actorId()),
                        current),
                "booking.approve");
    }

    private void decline(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_BOOKINGS);
        io.helidon.common.parameters.Parameters form = Forms.read(req, session);
        BookingView current = managed(session, req);
        String reason = Forms.field(form, "reason").map(String::strip).orElse("");
        if (reason.isEmpty() || reason.length() > 500) {
            render(
                    res,
                    io.helidon.http.Status.UNPROCESSABLE_CONTENT_422,
                    session,
                    current,
                    Optional.empty(),
                    Optional.of(Guard.messages().get("booking.decline.reason.required")));
            return;
        }
        decided(
                req,
                res,
                session,
                current,
                value(
                        approvals()
                                .decline(
                                        session.tenant().id(),
                                        current.id(),
                                        session.caller().actorId(),
                                        reason),
                        current),
                "booking.decline");
    }

    private dev.gatehouse.hub.bookings.BookingApprovals approvals() {
        return new dev.gatehouse.hub.bookings.BookingApprovals(
                parts.database(),
                parts.clock(),
                new dev.gatehouse.hub.bookings.DecisionMails(
                        parts.database(), parts.mailer(), parts.settings().publicUrl()));
    }

    private void decided(
            ServerRequest req,
            ServerResponse res,
            ConsoleSession session,
            BookingView current,
            dev.gatehouse.hub.bookings.BookingApprovals.Decision decision,
            String action) {
        switch (decision.result()) {
            case APPROVED, DECLINED -> audit(req, session, action, current);
            case LAPSED -> audit(req, session, "booking.lapse", current);
            case NOT_PENDING -> {
                render(
                        res,
                        io.helidon.http.Status.CONFLICT_409,
                        session,
                        decision.booking(),
                        Optional.empty(),
                        Optional.of(Guard.messages().get("booking.approval.not-pending")));
                return;
            }
        }
        SignInService.redirect(
                res,
                "/console/bookings/" + current.id() + "?notice="
                        + decision.result().name().toLowerCase(java.util.Locale.ROOT));
    }

    private static <T> T value(dev.gatehouse.hub.store.StoreResult<T> result, BookingView booking) {
        return switch (result) {
            case dev.gatehouse.hub.store.StoreResult.Found<T> found -> found.value();
            case dev.gatehouse.hub.store.StoreResult.NotFound<T> gone ->
                throw PageException.notFound("There is no booking " + booking.id() + ".");
            case dev.gatehouse.hub.store.StoreResult.Conflict<T> conflict ->
                throw PageException.badRequest(conflict.reason());
            case dev.gatehouse.hub.store.StoreResult.Invalid<T> invalid ->
                throw PageException.badRequest(invalid.errors().getFirst().message());
        };
    }
}
