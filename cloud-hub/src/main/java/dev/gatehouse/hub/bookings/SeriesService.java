package dev.gatehouse.hub.bookings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.hub.web.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recurring bookings (RFC 5545).
 *
 * <pre>
 * POST /api/v1/booking-series                      make a series: 201; 422/409 listing each failing occurrence
 * GET  /api/v1/booking-series/{seriesId}           the series and its occurrences
 * POST /api/v1/booking-series/{seriesId}/cancel    {"from": instant} this and following; no from: the whole series
 * </pre>
 */
public record SeriesService(ResourceStore resources, SeriesStore store, Audit audit, int maxBody)
        implements HttpService {
    private static final String[] FIELDS = {
        "resourceId",
        "memberId",
        "title",
        "start",
        "durationMinutes",
        "rrule",
        "rdates",
        "exdates",
        "policy",
        "overrideReason"
    };

    /** How many failing occurrences a refusal's detail names before it says "and N more". */
    private static final int NAMED = 5;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/booking-series", this::create)
                .get("/booking-series/{seriesId}", this::get)
                .post("/booking-series/{seriesId}/cancel", this::cancel);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        Input input = Input.of(Json.object(req, maxBody), FIELDS);
        String resourceId = BookingService.id(input, "resourceId", "resource");
        String memberId = BookingService.id(input, "memberId", "member");
        String title = input.optionalText("title", 200).orElse("");
        Optional<LocalDateTime> start = local(input, "start");
        if (start.isEmpty() && !input.has("start")) {
            input.error(
                    "start",
                    "is required: DTSTART as a local date-time in the site's time zone, e.g. 2027-03-01T09:00");
        }
        Optional<Integer> minutes = input.integer("durationMinutes", 1, BookingRules.LONGEST_MINUTES);
        if (!input.has("durationMinutes")) {
            input.error("durationMinutes", "is required: each occurrence's length in minutes");
        }
        String rrule = input.text("rrule", 500);
        List<LocalDateTime> rdates = locals(input, "rdates");
        List<LocalDateTime> exdates = locals(input, "exdates");
        SeriesStore.ConflictPolicy policy = input.enumValue("policy", SeriesStore.ConflictPolicy.class)
                .orElse(SeriesStore.ConflictPolicy.ALL_OR_NOTHING);
        Optional<String> override = input.optionalText("overrideReason", 500).map(String::strip);
        input.done();
        Resource resource = StoreResults.found(resources.find(caller.tenantId(), resourceId), "resource", resourceId);
        caller.require(Permission.MANAGE_BOOKINGS, resource.siteId());
        SeriesStore.Outcome outcome = StoreResults.value(store.create(
                caller.tenantId(),
                new SeriesStore.NewSeries(
                        resourceId,
                        memberId,
                        title,
                        new SeriesRule(
                                start.orElseThrow(), Duration.ofMinutes(minutes.orElseThrow()), rrule, rdates, exdates),
                        policy,
                        override,
                        caller.actorId())));
        switch (outcome) {
            case SeriesStore.Outcome.Created created -> {
                SeriesView series = created.series();
                audit.record(
                        req,
                        caller,
                        override.isPresent() ? "booking-series.create-override" : "booking-series.create",
                        "booking-series",
                        series.id(),
                        series.siteId(),
                        null,
                        series);
                ObjectNode body = Json.MAPPER.valueToTree(series);
                ArrayNode skipped = body.putArray("skipped");
                created.skipped().forEach(failure -> skipped.add(failure(failure)));
                Json.created(res, body);
            }
            case SeriesStore.Outcome.Refused refused -> throw refusal(refused, policy);
        }
    }

    /**
     * 409 when every failing occurrence meets another booking, else 422; {@code errors[]} names each
     * failing occurrence by its local start in {@code field}, and says why in {@code message}, led by the
     * rule's code or {@code conflict}.
     */
    static ApiException refusal(SeriesStore.Outcome.Refused refused, SeriesStore.ConflictPolicy policy) {
        List<FieldError> errors = new ArrayList<>();
        List<String> named = new ArrayList<>();
        boolean onlyConflicts = true;
        for (SeriesStore.Failure failure : refused.failures()) {
            String at = SeriesRule.format(failure.recurrenceId());
            if (named.size() < NAMED) {
                named.add(at);
            }
            for (Violation violation : failure.broken()) {
                errors.add(new FieldError(at, violation.rule().code() + ": " + violation.message()));
                onlyConflicts = false;
            }
            failure.collides()
                    .ifPresent(collides -> errors.add(new FieldError(
                            at,
                            "conflict: " + BookingService.collision(collides).getMessage())));
        }
        int failing = refused.failures().size();
        String which = String.join(", ", named) + (failing > NAMED ? " and " + (failing - NAMED) + " more" : "");
        String detail = failing == refused.occurrences()
                ? "none of the " + refused.occurrences() + " occurrences can be booked (" + which
                        + "); nothing was booked"
                : failing + " of " + refused.occurrences() + " occurrences cannot be booked (" + which + ");"
                        + " nothing was booked"
                        + (policy == SeriesStore.ConflictPolicy.ALL_OR_NOTHING
                                ? ": send \"policy\": \"skip-conflicts\" to book the others"
                                : "");
        return onlyConflicts
                ? new ApiException(409, "booking-series-conflict", "Booking series conflict", detail, errors)
                : new ApiException(422, "booking-series-rules", "Booking series refused", detail, errors);
    }

    /** A skipped occurrence: its local start and every reason. */
    private static ObjectNode failure(SeriesStore.Failure failure) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("recurrenceId", SeriesRule.format(failure.recurrenceId()));
        node.put("start", Times.iso(failure.start()));
        ArrayNode problems = node.putArray("problems");
        for (Violation violation : failure.broken()) {
            problems.addObject().put("code", violation.rule().code()).put("message", violation.message());
        }
        failure.collides().ifPresent(collides -> problems.addObject()
                .put("code", "conflict")
                .put("message", BookingService.collision(collides).getMessage())
                .put("conflictsWith", collides.bookingId()));
        return node;
    }

    private SeriesView series(ServerRequest req, Caller.Operator caller) {
        String id = PathIds.id(req, "seriesId", "booking series");
        SeriesView series = StoreResults.found(store.find(caller.tenantId(), id), "booking series", id);
        caller.requireCovers(series.siteId(), "booking series", id);
        return series;
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.ok(res, series(req, Caller.require(req, Permission.VIEW_SITES)));
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        Optional<Instant> from = Optional.empty();
        if (req.content().hasEntity()) {
            Input input = Input.of(Json.object(req, maxBody), "from");
            from = input.instant("from");
            input.done();
        }
        SeriesView current = series(req, caller);
        caller.require(Permission.MANAGE_BOOKINGS, current.siteId());
        SeriesView after = StoreResults.value(store.cancel(caller.tenantId(), current.id(), from));
        boolean changed = !after.status().equals(current.status())
                || !after.rrule().equals(current.rrule())
                || !after.occurrences().equals(current.occurrences());
        if (changed) {
            audit.record(
                    req,
                    caller,
                    from.isPresent() ? "booking-series.cancel-following" : "booking-series.cancel",
                    "booking-series",
                    current.id(),
                    current.siteId(),
                    current,
                    after);
        }
        Json.ok(res, after);
    }

    private static Optional<LocalDateTime> local(Input input, String field) {
        return input.optionalText(field, 40).flatMap(text -> parsed(input, field, text));
    }

    private static List<LocalDateTime> locals(Input input, String field) {
        List<LocalDateTime> dates = new ArrayList<>();
        List<JsonNode> items = input.array(field, SeriesRule.MAX_OCCURRENCES);
        for (int i = 0; i < items.size(); i++) {
            String at = field + "[" + i + "]";
            if (!items.get(i).isTextual()) {
                input.error(at, "must be a local date-time such as 2027-03-01T09:00");
                continue;
            }
            parsed(input, at, items.get(i).asText()).ifPresent(dates::add);
        }
        return dates;
    }

    private static Optional<LocalDateTime> parsed(Input input, String field, String text) {
        try {
            return Optional.of(SeriesRule.parseLocal(text));
        } catch (DateTimeParseException e) {
            input.error(
                    field,
                    "'" + text + "' is not a local date-time: write it like 2027-03-01T09:00, in the site's time"
                            + " zone and without an offset");
            return Optional.empty();
        }
    }
}
