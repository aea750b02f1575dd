package dev.gatehouse.hub.console;

import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.bookings.SeriesRule;
import dev.gatehouse.hub.bookings.SeriesStore;
import dev.gatehouse.hub.bookings.SeriesView;
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
import java.time.Duration;
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
 * An optional "Repeat" (daily, weekly, every weekday; until a day or a number of times, {@link
 * BookingRepeat}) makes a series instead, through the API's {@link SeriesStore#create}: all of its
 * occurrences or, listing each that cannot be booked and why, none.
 *
 * <pre>
 * GET  /console/sites/{siteId}/bookings/new?resource=&amp;date=&amp;from=&amp;to=&amp;member=   the form (MANAGE_BOOKINGS)
 * GET  /console/sites/{siteId}/bookings/members?q=     members matching q, as the form's choices (htmx)
 * POST /console/sites/{siteId}/bookings                book; action=search only searches (the form without script)
 * </pre>
 */
public record BookingFormPages(
        Console.Parts parts,
        SiteStore sites,
        ResourceStore resources,
        BookingStore bookings,
        SeriesStore series,
        MemberStore members)
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
                new SeriesStore(parts.database(), parts.clock()),
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
            String overrideReason,
            String repeat,
            String ends,
            String until,
            String count) {}

    /** An occurrence of a repeating booking that cannot be booked: when, and each reason. */
    public record Failed(String when, List<Violation> rules, Optional<Collision> collision) {
        public Failed {
            rules = List.copyOf(rules);
        }
    }

    /** What the engine or the store said: the collision met, with its occupied time in the site's zone. */
    public record Collision(String bookingId, String resourceName, String occupied) {}

    /**
     * What kept the booking from being made: the form's own problems (by field), the rules the engine
     * found broken, or the booking it collides with. Empty on a fresh form.
     */
    public record Problems(
            List<FieldError> fields,
            List<Violation> rules,
            Optional<Collision> collision,
            List<Failed> failed,
            int occurrences) {
        static final Problems NONE = new Problems(List.of(), List.of(), Optional.empty(), List.of(), 0);

        public Problems {
            fields = List.copyOf(fields);
            rules = List.copyOf(rules);
            failed = List.copyOf(failed);
        }

        static Problems of(List<FieldError> fields) {
            return new Problems(fields, List.of(), Optional.empty(), List.of(), 0);
        }

        static Problems broken(List<Violation> rules) {
            return new Problems(List.of(), rules, Optional.empty(), List.of(), 0);
        }

        static Problems collides(Collision collision) {
            return new Problems(List.of(), List.of(), Optional.of(collision), List.of(), 0);
        }

        /** A series refused: {@code failed} of its {@code occurrences} cannot be booked. */
        static Problems series(List<Failed> failed, int occurrences) {
            return new Problems(List.of(), List.of(), Optional.empty(), failed, occurrences);
        }

        public boolean any() {
            return !fields.isEmpty() || !rules.isEmpty() || collision.isPresent() || !failed.isEmpty();
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
        Typed typed = new Typed(
                req.query().first("resource").orElse(""),
                memberId,
                "",
                "",
                date,
                from,
                to,
                "",
                BookingRepeat.Kind.NONE.wire(),
                "count",
                "",
                "");
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
                form.first("overrideReason").orElse("").strip(),
                form.first("repeat").orElse(BookingRepeat.Kind.NONE.wire()),
                form.first("ends").orElse("count"),
                form.first("until").orElse(""),
                form.first("count").orElse(""));
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
        BookingRepeat.Read repeat = new BookingRepeat.Read.Once();
        switch (times) {
            case BookingTimes.Typed.Problem problem -> errors.add(new FieldError(problem.field(), problem.message()));
            case BookingTimes.Typed.Times(Instant first, Instant last) ->
                repeat = BookingRepeat.read(
                        typed.repeat(),
                        typed.ends(),
                        typed.until(),
                        typed.count(),
                        first.atZone(context.zone()).toLocalDateTime(),
                        context.zone());
        }
        if (repeat instanceof BookingRepeat.Read.Problem problem) {
            errors.add(new FieldError(problem.field(), problem.message()));
        }
        if (!errors.isEmpty() || !(times instanceof BookingTimes.Typed.Times(Instant start, Instant end))) {
            refuse(res, context, typed, choices, Status.UNPROCESSABLE_CONTENT_422, Problems.of(errors));
            return;
        }
        Optional<String> override = Optional.of(typed.overrideReason()).filter(r -> !r.isEmpty());
        if (repeat instanceof BookingRepeat.Read.Rule(String rrule)) {
            bookSeries(
                    req,
                    res,
                    context,
                    typed,
                    choices,
                    new SeriesRule(
                            start.atZone(context.zone()).toLocalDateTime(),
                            Duration.between(start, end),
                            rrule,
                            List.of(),
                            List.of()),
                    override);
            return;
        }
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
        if (result instanceof StoreResult.Found<BookingStore.Outcome>(BookingStore.Outcome outcome)) {
            outcome(req, res, context, typed, choices, outcome, override);
            return;
        }
        refuse(res, context, typed, choices, Status.UNPROCESSABLE_CONTENT_422, Problems.of(notMade(result, "repeat")));
    }

    /**
     * The form's errors for a request the store did not take: its own field errors (a series' rule
     * named {@code ruleField}, where the form asked for it), or the resource gone.
     */
    private static List<FieldError> notMade(StoreResult<?> result, String ruleField) {
        return switch (result) {
            case StoreResult.Invalid<?> invalid ->
                invalid.errors().stream()
                        .map(e -> e.field().equals("rrule") ? new FieldError(ruleField, e.message()) : e)
                        .toList();
            case StoreResult.NotFound<?> gone ->
                List.of(new FieldError("resourceId", Guard.messages().get("booking.form.resource.missing")));
            case StoreResult.Conflict<?> conflict -> throw PageException.badRequest(conflict.reason());
            case StoreResult.Found<?> found -> throw new IllegalArgumentException("the request was made");
        };
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
                created(req, context, "booking", override, booking.id(), booking.siteId(), booking);
                SignInService.redirect(res, "/console/bookings/" + booking.id() + "?notice=booked");
            }
            case BookingStore.Outcome.Refused refused ->
                refuse(
                        res,
                        context,
                        typed,
                        choices,
                        Status.UNPROCESSABLE_CONTENT_422,
                        Problems.broken(refused.violations()));
            case BookingStore.Outcome.Collides collides ->
                refuse(
                        res,
                        context,
                        typed,
                        choices,
                        Status.CONFLICT_409,
                        Problems.collides(collision(context, collides)));
        }
    }

    /** Audits {@code type.create}, or {@code type.create-override} when made with a reason. */
    private void created(
            ServerRequest req,
            Context context,
            String type,
            Optional<String> override,
            String id,
            String siteId,
            Object made) {
        parts.audit()
                .record(
                        req,
                        context.session().caller(),
                        type + (override.isPresent() ? ".create-override" : ".create"),
                        type,
                        id,
                        siteId,
                        null,
                        made);
    }

    /** The booking met, by its resource's name and its occupied time in the site's zone. */
    private Collision collision(Context context, BookingStore.Outcome.Collides collides) {
        String name = resources
                .find(context.tenantId(), collides.resourceId())
                .map(dev.gatehouse.hub.bookings.Resource::name)
                .orElse(collides.resourceId());
        return new Collision(
                collides.bookingId(),
                name,
                BookingTimes.when(
                        collides.occupiedFrom(),
                        collides.occupiedUntil(),
                        context.zone(),
                        Guard.messages().locale()));
    }

    /**
     * Makes a repeating booking as a series, through the same {@link SeriesStore#create} as the API
     * ({@code all-or-nothing}): made, to its page; refused, the form again listing each occurrence that
     * cannot be booked and why, with nothing booked.
     */
    private void bookSeries(
            ServerRequest req,
            ServerResponse res,
            Context context,
            Typed typed,
            List<MemberView> choices,
            SeriesRule rule,
            Optional<String> override) {
        StoreResult<SeriesStore.Outcome> result = series.create(
                context.tenantId(),
                new SeriesStore.NewSeries(
                        typed.resourceId(),
                        typed.memberId(),
                        typed.title(),
                        rule,
                        SeriesStore.ConflictPolicy.ALL_OR_NOTHING,
                        override,
                        context.session().caller().actorId()));
        if (!(result instanceof StoreResult.Found<SeriesStore.Outcome>(SeriesStore.Outcome outcome))) {
            refuse(
                    res,
                    context,
                    typed,
                    choices,
                    Status.UNPROCESSABLE_CONTENT_422,
                    Problems.of(notMade(result, typed.ends())));
            return;
        }
        switch (outcome) {
            case SeriesStore.Outcome.Created created -> {
                SeriesView made = created.series();
                created(req, context, "booking-series", override, made.id(), made.siteId(), made);
                SignInService.redirect(res, "/console/booking-series/" + made.id() + "?notice=booked");
            }
            case SeriesStore.Outcome.Refused refused -> {
                List<Failed> failed = new ArrayList<>();
                boolean onlyConflicts = true;
                for (SeriesStore.Failure failure : refused.failures()) {
                    onlyConflicts &= failure.broken().isEmpty();
                    failed.add(new Failed(
                            BookingTimes.when(
                                    failure.start(),
                                    failure.start().plus(rule.duration()),
                                    context.zone(),
                                    Guard.messages().locale()),
                            failure.broken(),
                            failure.collides().map(collides -> collision(context, collides))));
                }
                refuse(
                        res,
                        context,
                        typed,
                        choices,
                        onlyConflicts ? Status.CONFLICT_409 : Status.UNPROCESSABLE_CONTENT_422,
                        Problems.series(failed, refused.occurrences()));
            }
        }
    }

    /** The form again, with what was typed and what kept it from being made. */
    private void refuse(
            ServerResponse res,
            Context context,
            Typed typed,
            List<MemberView> choices,
            Status status,
            Problems problems) {
        render(res, status, context, typed, choices, false, problems);
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
