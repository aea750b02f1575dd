package dev.gatehouse.hub.console;

import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.bookings.Violation;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.members.MemberStore.MemberView;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The front desk's new-booking form: a resource of the site, a member found by name, e-mail or card
 * label, a day and times in the site's zone, and an optional override reason. The booking is made by
 * {@link BookingStore#create}, so the page answers exactly what the API would: every rule the request
 * breaks (the engine's sentences, as form errors), or the booking it collides with. An override books
 * despite the rules (never over another booking) and is audited as {@code booking.create-override}.
 *
 * <pre>
 * GET  /console/sites/{siteId}/bookings/new?resource=&amp;date=&amp;from=&amp;to=&amp;member=   the form (MANAGE_BOOKINGS)
 * GET  /console/sites/{siteId}/bookings/members?q=     members matching q, as the form's choices (htmx)
 * POST /console/sites/{siteId}/bookings                book; action=search only searches (the form without script)
 * </pre>
 */
public record BookingFormPages(
        Console.Parts parts, SiteStore sites, ResourceStore resources, BookingStore bookings, MemberStore members)
        implements HttpService {
    static final int MAX_TITLE = 200;
    static final int MAX_REASON = 500;
    static final int SEARCH_LIMIT = 8;

    public BookingFormPages(Console.Parts parts) {
        this(
                parts,
                new SiteStore(parts.database(), parts.clock()),
                new ResourceStore(parts.database(), parts.clock()),
                new BookingStore(parts.database(), parts.clock()),
                new MemberStore(parts.database(), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/sites/{siteId}/bookings/new", this::form)
                .get("/console/sites/{siteId}/bookings/members", this::search)
                .post("/console/sites/{siteId}/bookings", this::book);
    }

    /** The form's fields as typed (or prefilled). */
    public record Typed(
            String resourceId,
            String memberId,
            String memberQuery,
            String title,
            String date,
            String from,
            String to,
            String overrideReason) {}

    /** What the engine or the store said: the collision met, with its occupied time in the site's zone. */
    public record Collision(String bookingId, String resourceName, String occupied) {}

    /**
     * What kept the booking from being made: the form's own problems (by field), the rules the engine
     * found broken, or the booking it collides with. Empty on a fresh form.
     */
    public record Problems(List<FieldError> fields, List<Violation> rules, Optional<Collision> collision) {
        static final Problems NONE = new Problems(List.of(), List.of(), Optional.empty());

        public Problems {
            fields = List.copyOf(fields);
            rules = List.copyOf(rules);
        }

        static Problems of(List<FieldError> fields) {
            return new Problems(fields, List.of(), Optional.empty());
        }

        static Problems broken(List<Violation> rules) {
            return new Problems(List.of(), rules, Optional.empty());
        }

        static Problems collides(Collision collision) {
            return new Problems(List.of(), List.of(), Optional.of(collision));
        }

        public boolean any() {
            return !fields.isEmpty() || !rules.isEmpty() || collision.isPresent();
        }
    }

    /** The form page: the site, its resources, the values, the member choices and what was wrong. */
    public record Form(
            Views.SiteView site,
            List<ResourceStore.Summary> resources,
            Typed typed,
            List<MemberView> choices,
            boolean searched,
            Problems problems) {
        public Form {
            resources = List.copyOf(resources);
            choices = List.copyOf(choices);
        }

        public Optional<String> error(String field) {
            return problems.fields().stream()
                    .filter(e -> e.field().equals(field))
                    .map(FieldError::message)
                    .findFirst();
        }

        public String zone() {
            return site.timeZone();
        }
    }

    private record Context(ConsoleSession session, Views.SiteView site) {
        String tenantId() {
            return session.tenant().id();
        }

        ZoneId zone() {
            return ZoneId.of(site.timeZone());
        }
    }

    private Context context(ServerRequest req) {
        String siteId = req.path().pathParameters().get("siteId");
        ConsoleSession session = Guard.site(req, Permission.MANAGE_BOOKINGS, siteId);
        if (!session.access().may(Permission.VIEW_MEMBERS)) {
            throw PageException.forbidden("Booking for a member needs a role that may see members.");
        }
        Views.SiteView site = sites.site(session.tenant().id(), siteId)
                .orElseThrow(() -> PageException.notFound("There is no site " + siteId + "."));
        return new Context(session, site);
    }

    private void form(ServerRequest req, ServerResponse res) {
        Context context = context(req);
        Instant next = parts.clock().instant().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        String date = req.query().first("date").orElse(BookingTimes.isoDate(next, context.zone()));
        String from = req.query().first("from").orElse(BookingTimes.clock(next, context.zone()));
        String to = req.query()
                .first("to")
                .asOptional()
                .or(() -> BookingTimes.time(from).map(t -> t.plusHours(1).toString()))
                .orElse("");
        String memberId = req.query().first("member").orElse("");
        Typed typed = new Typed(req.query().first("resource").orElse(""), memberId, "", "", date, from, to, "");
        render(res, Status.OK_200, context, typed, chosen(context, memberId), false, Problems.NONE);
    }

    /** The member already chosen, as the one choice shown checked. */
    private List<MemberView> chosen(Context context, String memberId) {
        return memberId.isEmpty() || !dev.gatehouse.protocol.Ids.isValid(memberId)
                ? List.of()
                : members.find(context.tenantId(), memberId).stream().toList();
    }

    private List<MemberView> found(Context context, String query, String memberId) {
        List<MemberView> choices = new ArrayList<>(chosen(context, memberId));
        if (!query.isBlank()) {
            for (MemberView m : members.search(
                            context.tenantId(),
                            Optional.empty(),
                            Optional.of(query.strip()),
                            SEARCH_LIMIT,
                            Optional.empty())
                    .items()) {
                if (choices.stream().noneMatch(c -> c.id().equals(m.id()))) {
                    choices.add(m);
                }
            }
        }
        return choices;
    }

    private void search(ServerRequest req, ServerResponse res) {
        Context context = context(req);
        String query = req.query().first("memberQuery").orElse("");
        String memberId = req.query().first("memberId").orElse("");
        Templates.render(
                res,
                "booking-members.jte",
                Map.of(
                        "page",
                        Guard.pageFor(context.session(), "booking.new.title", "/console/bookings"),
                        "choices",
                        found(context, query, memberId),
                        "selected",
                        memberId,
                        "searched",
                        !query.isBlank()));
    }

    private void book(ServerRequest req, ServerResponse res) {
        Context context = context(req);
        Parameters form = Forms.read(req, context.session());
        Typed typed = new Typed(
                form.first("resourceId").orElse(""),
                form.first("memberId").orElse(""),
                form.first("memberQuery").orElse(""),
                form.first("title").orElse("").strip(),
                form.first("date").orElse(""),
                form.first("from").orElse(""),
                form.first("to").orElse(""),
                form.first("overrideReason").orElse("").strip());
        List<MemberView> choices = found(context, typed.memberQuery(), typed.memberId());
        if (form.first("action").orElse("").equals("search")) {
            render(res, Status.OK_200, context, typed, choices, true, Problems.NONE);
            return;
        }
        Messages t = Guard.messages();
        List<FieldError> errors = new ArrayList<>();
        if (resources.summaries(context.tenantId(), context.site().id()).stream()
                .noneMatch(r -> r.id().equals(typed.resourceId()))) {
            errors.add(new FieldError("resourceId", t.get("booking.form.resource.missing")));
        }
        if (typed.memberId().isEmpty() || choices.stream().noneMatch(m -> m.id().equals(typed.memberId()))) {
            errors.add(new FieldError("memberId", t.get("booking.form.member.missing")));
        }
        if (typed.title().length() > MAX_TITLE) {
            errors.add(new FieldError(
                    "title",
                    t.get("booking.form.too-long", MAX_TITLE, typed.title().length())));
        }
        if (typed.overrideReason().length() > MAX_REASON) {
            errors.add(new FieldError(
                    "overrideReason",
                    t.get(
                            "booking.form.too-long",
                            MAX_REASON,
                            typed.overrideReason().length())));
        }
        BookingTimes.Typed times = BookingTimes.read(typed.date(), typed.from(), typed.to(), context.zone());
        if (times instanceof BookingTimes.Typed.Problem problem) {
            errors.add(new FieldError(problem.field(), problem.message()));
        }
        if (!errors.isEmpty() || !(times instanceof BookingTimes.Typed.Times(Instant start, Instant end))) {
            render(res, Status.UNPROCESSABLE_CONTENT_422, context, typed, choices, false, Problems.of(errors));
            return;
        }
        Optional<String> override = Optional.of(typed.overrideReason()).filter(r -> !r.isEmpty());
        StoreResult<BookingStore.Outcome> result = bookings.create(
                context.tenantId(),
                new BookingStore.NewBooking(
                        typed.resourceId(),
                        typed.memberId(),
                        typed.title(),
                        start,
                        end,
                        override,
                        context.session().caller().actorId()));
        List<FieldError> invalid;
        switch (result) {
            case StoreResult.Found<BookingStore.Outcome> found -> {
                outcome(req, res, context, typed, choices, found.value(), override);
                return;
            }
            case StoreResult.Invalid<BookingStore.Outcome> refused -> invalid = refused.errors();
            case StoreResult.NotFound<BookingStore.Outcome> gone ->
                invalid = List.of(new FieldError("resourceId", t.get("booking.form.resource.missing")));
            case StoreResult.Conflict<BookingStore.Outcome> conflict ->
                throw PageException.badRequest(conflict.reason());
        }
        render(res, Status.UNPROCESSABLE_CONTENT_422, context, typed, choices, false, Problems.of(invalid));
    }

    private void outcome(
            ServerRequest req,
            ServerResponse res,
            Context context,
            Typed typed,
            List<MemberView> choices,
            BookingStore.Outcome outcome,
            Optional<String> override) {
        switch (outcome) {
            case BookingStore.Outcome.Booked booked -> {
                BookingView booking = booked.booking();
                parts.audit()
                        .record(
                                req,
                                context.session().caller(),
                                override.isPresent() ? "booking.create-override" : "booking.create",
                                "booking",
                                booking.id(),
                                booking.siteId(),
                                null,
                                booking);
                SignInService.redirect(res, "/console/bookings/" + booking.id() + "?notice=booked");
            }
            case BookingStore.Outcome.Refused refused ->
                render(
                        res,
                        Status.UNPROCESSABLE_CONTENT_422,
                        context,
                        typed,
                        choices,
                        false,
                        Problems.broken(refused.violations()));
            case BookingStore.Outcome.Collides collides -> {
                String name = resources
                        .find(context.tenantId(), collides.resourceId())
                        .map(dev.gatehouse.hub.bookings.Resource::name)
                        .orElse(collides.resourceId());
                Collision collision = new Collision(
                        collides.bookingId(),
                        name,
                        BookingTimes.when(
                                collides.occupiedFrom(),
                                collides.occupiedUntil(),
                                context.zone(),
                                Guard.messages().locale()));
                render(res, Status.CONFLICT_409, context, typed, choices, false, Problems.collides(collision));
            }
        }
    }

    private void render(
            ServerResponse res,
            Status status,
            Context context,
            Typed typed,
            List<MemberView> choices,
            boolean searched,
            Problems problems) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(context.session(), "booking.new.title", "/console/bookings"));
        params.put(
                "form",
                new Form(
                        context.site(),
                        resources.summaries(context.tenantId(), context.site().id()),
                        typed,
                        choices,
                        searched,
                        problems));
        Templates.render(res, status, "booking-new.jte", params);
    }
}
