package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.console.BookingTimes;
import dev.gatehouse.hub.console.FloorPlanPages;
import dev.gatehouse.hub.console.FloorPlanStore;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.PageException;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.protocol.Ids;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Members book rooms and desks: a site's floor plan with each room and desk drawn in its state now or
 * at a chosen time (free, booked, mine, out of service — in words, not colour alone), the same as a
 * list, a booking form per room, and the member's own bookings with cancelling. A booking is always the
 * signed-in member's own: the member comes from the portal session, never from the form. It is made
 * by {@link BookingStore#create}, through the same rule engine as the API and the console, and audited
 * as done by the member. Nothing of another member is shown: a collision says when the time is taken,
 * not by whom; another tenant's rooms, sites and bookings are not found.
 *
 * <pre>
 * GET  /portal/book?site=&amp;date=&amp;time=       the plan and the list at that time (default: now)
 * GET  /portal/book/plan.svg?site=             the site's floor plan, under its own strict CSP
 * GET  /portal/book/{resourceId}?date=&amp;from=&amp;to=   the booking form
 * POST /portal/book/{resourceId}               book it
 * GET  /portal/bookings                        my bookings
 * POST /portal/bookings/{bookingId}/cancel     cancel one of mine
 * </pre>
 */
public record PortalBookingPages(
        Clock clock,
        MemberSessions sessions,
        SiteStore sites,
        ResourceStore resources,
        BookingStore bookings,
        FloorPlanStore plans,
        Audit audit)
        implements HttpService {
    /** How far back "my bookings" lists past and cancelled ones. */
    static final Duration PAST = Duration.ofDays(30);

    /** How far ahead "my bookings" looks: the longest advance a resource may allow. */
    static final Duration AHEAD = Duration.ofDays(731);

    static final int MAX_TITLE = 200;

    /** How many days from the day shown the booking form lists as taken. */
    static final int TAKEN_DAYS = 7;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/book", this::map)
                .get("/portal/book/plan.svg", this::plan)
                .get("/portal/book/{resourceId}", this::form)
                .post("/portal/book/{resourceId}", this::book)
                .get("/portal/bookings", this::mine)
                .post("/portal/bookings/{bookingId}/cancel", this::cancel);
    }

    /** The plan page: the member's sites, the one shown, the moment, the map and the plan's cache key. */
    public record MapPage(
            List<Views.SiteView> sites,
            Views.SiteView site,
            String date,
            String time,
            boolean now,
            BookingMap map,
            Optional<Long> plan) {
        public MapPage {
            sites = List.copyOf(sites);
        }
    }

    /** The tenant's sites that have something to book. */
    private List<Views.SiteView> bookable(MemberSession member) {
        return sites.sites(member.tenantId(), Set.of()).stream()
                .filter(s -> !resources.summaries(member.tenantId(), s.id()).isEmpty())
                .toList();
    }

    private Views.SiteView site(MemberSession member, String siteId) {
        return sites.site(member.tenantId(), siteId)
                .orElseThrow(() -> PageException.notFound("There is no site " + Ids.printable(siteId) + "."));
    }

    private void map(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        List<Views.SiteView> all = bookable(member);
        Optional<String> asked = req.query().first("site").asOptional();
        Optional<Views.SiteView> chosen = asked.isPresent()
                ? Optional.of(site(member, asked.get()))
                : all.stream().findFirst();
        if (chosen.isEmpty()) {
            Templates.render(
                    res,
                    "portal-book.jte",
                    Map.of("page", Portal.page(member, "portal.book.title"), "view", Optional.empty()));
            return;
        }
        Views.SiteView site = chosen.get();
        ZoneId zone = ZoneId.of(site.timeZone());
        Instant now = clock.instant();
        Optional<Instant> at = BookingTimes.date(req.query().first("date").orElse(""))
                .flatMap(day -> BookingTimes.time(req.query().first("time").orElse(""))
                        .map(time -> day.atTime(time).atZone(zone).toInstant()));
        Instant moment = at.orElse(now);
        String tenantId = member.tenantId();
        List<BookingStore.Busy> busy = bookings.busy(tenantId, site.id(), moment, moment.plusMillis(1));
        Optional<FloorPlanStore.Plan> plan = plans.plan(tenantId, site.id());
        BookingMap map = BookingMap.of(
                plan.map(FloorPlanStore.Plan::svg),
                zone,
                moment,
                resources.list(tenantId, site.id()),
                busy,
                myIds(member, site.id(), moment),
                words());
        MapPage view = new MapPage(
                all,
                site,
                BookingTimes.isoDate(moment, zone),
                BookingTimes.clock(moment, zone),
                at.isEmpty(),
                map,
                plan.map(FloorPlanStore.Plan::updatedAt));
        Templates.render(
                res,
                "portal-book.jte",
                Map.of("page", Portal.page(member, "portal.book.title"), "view", Optional.of(view)));
    }

    /** The member's live bookings at the site that meet the moment. */
    private Set<String> myIds(MemberSession member, String siteId, Instant at) {
        Set<String> ids = new HashSet<>();
        for (BookingView b :
                bookings.list(member.tenantId(), siteId, at, at.plusMillis(1), Optional.of(member.memberId()))) {
            if (b.cancelledAt() == null) {
                ids.add(b.id());
            }
        }
        return ids;
    }

    private static Map<BookingMap.State, String> words() {
        Map<BookingMap.State, String> words = new EnumMap<>(BookingMap.State.class);
        for (BookingMap.State state : BookingMap.State.values()) {
            words.put(state, Portal.WORDS.get("portal.book.state." + state.css()));
        }
        return words;
    }

    private void plan(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Views.SiteView site = site(member, req.query().first("site").orElse(""));
        FloorPlanStore.Plan plan = plans.plan(member.tenantId(), site.id())
                .orElseThrow(() -> PageException.notFound("This site has no floor plan."));
        res.header(HeaderNames.CONTENT_TYPE, "image/svg+xml; charset=utf-8");
        res.header(HeaderNames.create("Content-Security-Policy"), FloorPlanPages.SVG_CSP);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.CACHE_CONTROL, "private, no-cache");
        res.send(plan.svg().getBytes(StandardCharsets.UTF_8));
    }

    /** The booking form's values, as typed or prefilled: a day and wall-clock times in the site's zone. */
    public record Typed(String date, String from, String to, String title) {}

    /** Why a booking was not made: {@code rule} is the engine's code, {@code conflict} or {@code form}. */
    public record Reason(String rule, String message) {}

    /** The booking form: the resource, its site, the values, what is taken that week, why it was refused. */
    public record BookForm(
            Resource resource, Views.SiteView site, Typed typed, List<String> taken, List<Reason> reasons) {
        public BookForm {
            taken = List.copyOf(taken);
            reasons = List.copyOf(reasons);
        }

        public String price() {
            return BookingTimes.money(resource.pricePerHour());
        }
    }

    private Resource resource(MemberSession member, ServerRequest req) {
        String id = req.path().pathParameters().get("resourceId");
        return resources
                .find(member.tenantId(), id)
                .orElseThrow(() -> PageException.notFound("There is no room or desk " + Ids.printable(id) + "."));
    }

    private void form(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Resource resource = resource(member, req);
        Views.SiteView site = site(member, resource.siteId());
        ZoneId zone = ZoneId.of(site.timeZone());
        var start = BookingMap.nextStep(clock.instant(), zone, resource.rules().granularityMinutes());
        var end = start.plusMinutes(BookingMap.length(resource));
        Typed typed = new Typed(
                req.query().first("date").orElse(start.toLocalDate().toString()),
                req.query().first("from").orElse(BookingTimes.clock(start.toInstant(), zone)),
                req.query().first("to").orElse(BookingTimes.clock(end.toInstant(), zone)),
                "");
        render(res, Status.OK_200, member, resource, site, typed, List.of());
    }

    private void book(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Parameters form = Forms.read(req, member.session().csrfToken());
        Resource resource = resource(member, req);
        Views.SiteView site = site(member, resource.siteId());
        ZoneId zone = ZoneId.of(site.timeZone());
        Typed typed = new Typed(
                form.first("date").orElse(""),
                form.first("from").orElse(""),
                form.first("to").orElse(""),
                form.first("title").orElse("").strip());
        List<Reason> problems = new ArrayList<>();
        if (typed.title().length() > MAX_TITLE) {
            problems.add(new Reason("form", Portal.WORDS.get("portal.book.title.too-long", MAX_TITLE)));
        }
        BookingTimes.Typed times = BookingTimes.read(typed.date(), typed.from(), typed.to(), zone);
        if (times instanceof BookingTimes.Typed.Problem problem) {
            problems.add(new Reason("form", problem.message()));
        }
        if (!problems.isEmpty() || !(times instanceof BookingTimes.Typed.Times(Instant start, Instant end))) {
            render(res, Status.UNPROCESSABLE_CONTENT_422, member, resource, site, typed, problems);
            return;
        }
        // The member books as themselves: whatever the form holds, the booking is the session's member's.
        StoreResult<BookingStore.Outcome> result = bookings.create(
                member.tenantId(),
                new BookingStore.NewBooking(
                        resource.id(),
                        member.memberId(),
                        typed.title(),
                        start,
                        end,
                        Optional.empty(),
                        member.memberId(),
                        List.of(),
                        Optional.empty(),
                        true));
        BookingStore.Outcome outcome =
                switch (result) {
                    case StoreResult.Found<BookingStore.Outcome> found -> found.value();
                    case StoreResult.NotFound<BookingStore.Outcome> gone ->
                        throw PageException.notFound("There is no room or desk " + resource.id() + ".");
                    case StoreResult.Invalid<BookingStore.Outcome> invalid ->
                        throw PageException.badRequest(
                                invalid.errors().getFirst().message());
                    case StoreResult.Conflict<BookingStore.Outcome> conflict ->
                        throw PageException.badRequest(conflict.reason());
                };
        switch (outcome) {
            case BookingStore.Outcome.Booked booked -> {
                BookingView booking = booked.booking();
                audit.record(
                        req,
                        member.auditCaller(),
                        "booking.create",
                        "booking",
                        booking.id(),
                        booking.siteId(),
                        null,
                        booking);
                SignInService.redirect(
                        res, "/portal/bookings?booked=" + URLEncoder.encode(booking.id(), StandardCharsets.UTF_8));
            }
            case BookingStore.Outcome.Refused refused ->
                render(
                        res,
                        Status.UNPROCESSABLE_CONTENT_422,
                        member,
                        resource,
                        site,
                        typed,
                        refused.violations().stream()
                                .map(v -> new Reason(v.rule().code(), v.message()))
                                .toList());
            case BookingStore.Outcome.Collides collides -> {
                // When the time is taken, not by whom: the booking met may be another member's.
                String when = BookingTimes.when(
                        collides.occupiedFrom(), collides.occupiedUntil(), zone, Portal.WORDS.locale());
                render(
                        res,
                        Status.CONFLICT_409,
                        member,
                        resource,
                        site,
                        typed,
                        List.of(new Reason("conflict", Portal.WORDS.get("portal.book.collision", when))));
            }
        }
    }

    private void render(
            ServerResponse res,
            Status status,
            MemberSession member,
            Resource resource,
            Views.SiteView site,
            Typed typed,
            List<Reason> reasons) {
        ZoneId zone = ZoneId.of(site.timeZone());
        // What is taken in the week from the day shown: enough to choose another time without a script.
        List<String> taken = new ArrayList<>();
        Optional<LocalDate> day = BookingTimes.date(typed.date());
        if (day.isPresent()) {
            Instant first = day.get().atStartOfDay(zone).toInstant();
            Instant last = day.get().plusDays(TAKEN_DAYS).atStartOfDay(zone).toInstant();
            Set<String> withParts = new HashSet<>(List.of(resource.id()));
            for (Resource r : resources.list(member.tenantId(), site.id())) {
                if (r.parentId().isPresent() && r.parentId().get().equals(resource.id())) {
                    withParts.add(r.id());
                }
            }
            bookings.busy(member.tenantId(), site.id(), first, last).stream()
                    .filter(b -> withParts.contains(b.resourceId()))
                    .sorted(Comparator.comparing(BookingStore.Busy::from))
                    .map(b -> BookingTimes.when(b.from(), b.until(), zone, Portal.WORDS.locale()))
                    .distinct()
                    .forEach(taken::add);
        }
        Map<String, Object> params = new HashMap<>();
        params.put("page", Portal.page(member, "portal.book.form.title"));
        params.put("form", new BookForm(resource, site, typed, taken, reasons));
        Templates.render(res, status, "portal-book-form.jte", params);
    }

    /** One of the member's bookings as the list shows it. */
    public record Mine(BookingView booking, String resource, String site, String when, boolean upcoming, String zone) {
        public boolean cancelled() {
            return booking.cancelledAt() != null;
        }

        /** A request waiting for an operator's approval. */
        public boolean pending() {
            return booking.status().equals("pending");
        }

        /** Until when a waiting request holds its time, in the site's zone. */
        public String holdUntil() {
            return Formats.dateTime(
                    Instant.parse(booking.approval().holdUntil()), ZoneId.of(zone), Portal.WORDS.locale());
        }

        /** Cancelled, released, declined or lapsed: no longer holds its time. */
        public boolean ended() {
            return !booking.status().equals("confirmed") && !pending();
        }

        public String price() {
            return BookingTimes.money(booking.price());
        }
    }

    private void mine(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Instant now = clock.instant();
        List<Mine> upcoming = new ArrayList<>();
        List<Mine> past = new ArrayList<>();
        for (Views.SiteView site : sites.sites(member.tenantId(), Set.of())) {
            ZoneId zone = ZoneId.of(site.timeZone());
            Map<String, String> names = new HashMap<>();
            resources.summaries(member.tenantId(), site.id()).forEach(r -> names.put(r.id(), r.name()));
            for (BookingView b : bookings.list(
                    member.tenantId(), site.id(), now.minus(PAST), now.plus(AHEAD), Optional.of(member.memberId()))) {
                Instant end = Instant.parse(b.end());
                boolean live = (b.status().equals("confirmed") || b.status().equals("pending")) && end.isAfter(now);
                Mine row = new Mine(
                        b,
                        names.getOrDefault(b.resourceId(), b.resourceId()),
                        site.name(),
                        BookingTimes.when(Instant.parse(b.start()), end, zone, Portal.WORDS.locale()),
                        live,
                        site.timeZone());
                (live ? upcoming : past).add(row);
            }
        }
        upcoming.sort(Comparator.comparing((Mine m) -> m.booking().start()));
        past.sort(Comparator.comparing((Mine m) -> m.booking().start()).reversed());
        Optional<String> notice = req.query()
                .first("booked")
                .asOptional()
                .flatMap(id -> upcoming.stream()
                        .filter(m -> m.booking().id().equals(id))
                        .findFirst())
                .map(m -> m.pending()
                        ? Portal.WORDS.get("portal.bookings.requested", m.resource(), m.when(), m.holdUntil())
                        : Portal.WORDS.get("portal.bookings.booked", m.resource(), m.when()))
                .or(() -> req.query()
                        .first("cancelled")
                        .asOptional()
                        .map(id -> Portal.WORDS.get("portal.bookings.cancelled")));
        Templates.render(
                res,
                "portal-bookings.jte",
                Map.of(
                        "page",
                        Portal.page(member, "portal.bookings.title"),
                        "upcoming",
                        upcoming,
                        "past",
                        past.subList(0, Math.min(10, past.size())),
                        "notice",
                        notice));
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Forms.read(req, member.session().csrfToken());
        String id = req.path().pathParameters().get("bookingId");
        // Another member's booking (or another tenant's) is no booking of this member's: not found.
        BookingView current = bookings.find(member.tenantId(), id)
                .filter(b -> b.memberId().equals(member.memberId()))
                .orElseThrow(() -> PageException.notFound("You have no booking " + Ids.printable(id) + "."));
        if (current.cancelledAt() == null) {
            BookingView cancelled =
                    switch (bookings.cancel(member.tenantId(), current.id())) {
                        case StoreResult.Found<BookingView> found -> found.value();
                        case StoreResult.NotFound<BookingView> gone ->
                            throw PageException.notFound("You have no booking " + id + ".");
                        case StoreResult.Conflict<BookingView> conflict ->
                            throw PageException.badRequest(conflict.reason());
                        case StoreResult.Invalid<BookingView> invalid ->
                            throw PageException.badRequest(
                                    invalid.errors().getFirst().message());
                    };
            audit.record(
                    req,
                    member.auditCaller(),
                    "booking.cancel",
                    "booking",
                    current.id(),
                    current.siteId(),
                    current,
                    cancelled);
        }
        SignInService.redirect(res, "/portal/bookings?cancelled=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    }
}
