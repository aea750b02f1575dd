package dev.gatehouse.hub.bookings;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credits.CreditStore;
import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.QueryParameters;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Booking;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bookings and availability.
 *
 * <pre>
 * POST /api/v1/bookings                          book: 201, 422 listing every broken rule, 409 naming the collision
 * GET  /api/v1/bookings/{bookingId}              one booking
 * POST /api/v1/bookings/{bookingId}/cancel       cancel (idempotent): the time is free, the doors close to it
 * POST /api/v1/bookings/{bookingId}/check-in     check in at the front desk, in the booking's check-in window
 * POST /api/v1/bookings/{bookingId}/approve      confirm a member's request waiting for approval
 * POST /api/v1/bookings/{bookingId}/decline      decline it with a {@code reason}: its time is free, credits back
 * GET  /api/v1/sites/{siteId}/booking-conflicts  check-ins that met a rebooking of a released booking's time
 * GET  /api/v1/sites/{siteId}/bookings           the site's bookings meeting ?from=&amp;until= (&amp;memberId=&amp;status=)
 * GET  /api/v1/sites/{siteId}/availability       each resource's occupied time between ?from= and ?until=
 * </pre>
 *
 * A booking's answer (create, get, cancel) carries {@code creditLedger} when it costs credits: the
 * period drawn from, the credits debited, the overage, and once cancelled the refund (or why none).
 */
public record BookingService(
        SiteStore sites,
        ResourceStore resources,
        BookingStore store,
        BookingApprovals approvals,
        Audit audit,
        Clock clock,
        int maxBody)
        implements HttpService {
    /** The widest range a list or an availability query may span. */
    static final Duration MAX_RANGE = Duration.ofDays(62);

    @Override
    public void routing(HttpRules rules) {
        rules.post("/bookings", this::create)
                .get("/bookings/{bookingId}", this::get)
                .post("/bookings/{bookingId}/cancel", this::cancel)
                .post("/bookings/{bookingId}/check-in", this::checkIn)
                .post("/bookings/{bookingId}/approve", this::approve)
                .post("/bookings/{bookingId}/decline", this::decline)
                .get("/sites/{siteId}/booking-conflicts", this::conflicts)
                .get("/sites/{siteId}/bookings", this::list)
                .get("/sites/{siteId}/availability", this::availability);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        Input input = Input.of(
                Json.object(req, maxBody),
                "resourceId",
                "memberId",
                "title",
                "start",
                "end",
                "overrideReason",
                "invitees",
                "joinLink",
                "awaitApproval");
        String resourceId = id(input, "resourceId", "resource");
        String memberId = id(input, "memberId", "member");
        String title = input.optionalText("title", 200).orElse("");
        Optional<Instant> start = required(input, "start");
        Optional<Instant> end = required(input, "end");
        if (start.isPresent() && end.isPresent() && !end.get().isAfter(start.get())) {
            input.error("end", "must be after start");
        }
        Optional<String> override = input.optionalText("overrideReason", 500).map(String::strip);
        if (override.isPresent() && override.get().isEmpty()) {
            input.error("overrideReason", "must say why the rules are overridden, or be left out");
        }
        List<String> invitees = input.ids("invitees", Booking.MAX_INVITEES);
        Optional<String> joinLink = input.optionalText("joinLink", Booking.MAX_JOIN_LINK);
        if (joinLink.isPresent() && !Booking.isJoinLink(joinLink.get())) {
            input.error("joinLink", "must be an https:// URL with a host name and no spaces, quotes or angle brackets");
        }
        // A member's app on the API asks on the member's behalf: the request waits where approval is needed.
        boolean awaitApproval = input.bool("awaitApproval").orElse(false);
        if (awaitApproval && override.isPresent()) {
            input.error("awaitApproval", "an override books at once; leave out awaitApproval or overrideReason");
        }
        input.done();
        Resource resource = StoreResults.found(resources.find(caller.tenantId(), resourceId), "resource", resourceId);
        caller.require(Permission.MANAGE_BOOKINGS, resource.siteId());
        BookingStore.Outcome outcome = StoreResults.value(store.create(
                caller.tenantId(),
                new BookingStore.NewBooking(
                        resourceId,
                        memberId,
                        title,
                        start.orElseThrow(),
                        end.orElseThrow(),
                        override,
                        caller.actorId(),
                        invitees,
                        joinLink,
                        awaitApproval)));
        switch (outcome) {
            case BookingStore.Outcome.Booked booked -> {
                BookingView booking = booked.booking();
                audit.record(
                        req,
                        caller,
                        override.isPresent() ? "booking.create-override" : "booking.create",
                        "booking",
                        booking.id(),
                        booking.siteId(),
                        null,
                        booking);
                Json.created(res, withCredits(caller.tenantId(), booking));
            }
            case BookingStore.Outcome.Refused refused -> throw refusal(refused.violations());
            case BookingStore.Outcome.Collides collides -> throw collision(collides);
        }
    }

    /** 422 with every broken rule: {@code errors[].field} is the rule's code. */
    static ApiException refusal(List<Violation> violations) {
        List<FieldError> errors = violations.stream()
                .map(v -> new FieldError(v.rule().code(), v.message()))
                .toList();
        StringBuilder detail = new StringBuilder(
                "the booking breaks " + errors.size() + (errors.size() == 1 ? " rule" : " rules") + ": ");
        for (int i = 0; i < errors.size(); i++) {
            detail.append(i == 0 ? "" : "; ").append(errors.get(i).message());
        }
        return new ApiException(422, "booking-rules", "Booking rules broken", detail.toString(), errors);
    }

    /** 409 naming the booking met and its occupied time, nothing about its member. */
    static ApiException collision(BookingStore.Outcome.Collides collides) {
        return new ApiException(
                409,
                "booking-conflict",
                "Booking conflict",
                "the time (with the resource's buffers) meets booking " + collides.bookingId() + " on resource "
                        + collides.resourceId() + ", which occupies " + Times.iso(collides.occupiedFrom()) + " to "
                        + Times.iso(collides.occupiedUntil()) + "; choose another time or resource",
                List.of(new FieldError("conflictsWith", collides.bookingId())));
    }

    private BookingView booking(ServerRequest req, Caller.Operator caller) {
        String id = PathIds.id(req, "bookingId", "booking");
        BookingView booking = StoreResults.found(store.find(caller.tenantId(), id), "booking", id);
        caller.requireCovers(booking.siteId(), "booking", id);
        return booking;
    }

    private void get(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_SITES);
        Json.ok(res, withCredits(caller.tenantId(), booking(req, caller)));
    }

    /** The booking as the API answers it: its view, and what the credits ledger holds for it, if anything. */
    private ObjectNode withCredits(String tenantId, BookingView booking) {
        ObjectNode body = Json.MAPPER.valueToTree(booking);
        new CreditStore(store.database(), clock)
                .forBooking(tenantId, booking.id())
                .ifPresent(credits -> body.set("creditLedger", Json.MAPPER.valueToTree(credits)));
        return body;
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        BookingView current = booking(req, caller);
        caller.require(Permission.MANAGE_BOOKINGS, current.siteId());
        BookingView cancelled = StoreResults.value(store.cancel(caller.tenantId(), current.id()));
        if (!current.status().equals(cancelled.status())) {
            audit.record(req, caller, "booking.cancel", "booking", current.id(), current.siteId(), current, cancelled);
        }
        Json.ok(res, withCredits(caller.tenantId(), cancelled));
    }

    private void checkIn(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        BookingView current = booking(req, caller);
        caller.require(Permission.MANAGE_BOOKINGS, current.siteId());
        BookingCheckIns.Result result = StoreResults.value(new BookingCheckIns(store.database(), clock)
                .checkIn(caller.tenantId(), current.id(), caller.actorId()));
        BookingView after = StoreResults.found(store.find(caller.tenantId(), current.id()), "booking", current.id());
        switch (result) {
            case CHECKED_IN, RESTORED, CONFLICT ->
                audit.record(
                        req, caller, "booking.check-in", "booking", current.id(), current.siteId(), current, after);
            case ALREADY_CHECKED_IN -> {}
            case NO_CHECK_IN_NEEDED ->
                throw new ApiException(
                        409,
                        "booking-check-in",
                        "No check-in needed",
                        "booking " + current.id() + " needs no check-in: its resource asks for none, or an edge of the"
                                + " site could not enforce one when it was booked",
                        List.of());
            case OUTSIDE_WINDOW ->
                throw new ApiException(
                        409,
                        "booking-check-in",
                        "Outside the check-in window",
                        "booking " + current.id() + " can be checked in from "
                                + current.checkIn().opensAt() + " until "
                                + current.checkIn().releaseAt() + "; it is " + Times.iso(clock.instant()),
                        List.of());
            default ->
                throw new ApiException(
                        409,
                        "booking-check-in",
                        "Cannot check in",
                        "booking " + current.id() + " is " + current.status() + " and cannot be checked in ("
                                + result.wire() + ")",
                        List.of());
        }
        Json.ok(res, withCredits(caller.tenantId(), after));
    }

    private void approve(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        BookingView current = booking(req, caller);
        caller.require(Permission.MANAGE_BOOKINGS, current.siteId());
        BookingApprovals.Decision decision =
                StoreResults.value(approvals.approve(caller.tenantId(), current.id(), caller.actorId()));
        decided(req, caller, current, decision, BookingApprovals.Result.APPROVED, "booking.approve");
        Json.ok(res, withCredits(caller.tenantId(), decision.booking()));
    }

    private void decline(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        BookingView current = booking(req, caller);
        caller.require(Permission.MANAGE_BOOKINGS, current.siteId());
        Input input = Input.of(Json.object(req, maxBody), "reason");
        // Required: the member sees why.
        String reason = input.text("reason", 500);
        input.done();
        BookingApprovals.Decision decision =
                StoreResults.value(approvals.decline(caller.tenantId(), current.id(), caller.actorId(), reason));
        decided(req, caller, current, decision, BookingApprovals.Result.DECLINED, "booking.decline");
        Json.ok(res, withCredits(caller.tenantId(), decision.booking()));
    }

    /** Audits a decision made; a request not waiting, or lapsed meanwhile, is a 409 saying which. */
    private void decided(
            ServerRequest req,
            Caller.Operator caller,
            BookingView current,
            BookingApprovals.Decision decision,
            BookingApprovals.Result wanted,
            String action) {
        if (decision.result() == wanted) {
            audit.record(req, caller, action, "booking", current.id(), current.siteId(), current, decision.booking());
            return;
        }
        if (decision.result() == BookingApprovals.Result.LAPSED) {
            audit.record(
                    req,
                    caller,
                    "booking.lapse",
                    "booking",
                    current.id(),
                    current.siteId(),
                    current,
                    decision.booking());
            throw new ApiException(
                    409,
                    "booking-approval",
                    "The request lapsed",
                    "booking " + current.id() + " waited for approval until "
                            + current.approval().holdUntil()
                            + "; nobody decided by then, so its time is free again and its credits are back",
                    List.of());
        }
        throw new ApiException(
                409,
                "booking-approval",
                "Not waiting for approval",
                "booking " + current.id() + " is " + decision.booking().status()
                        + ", not pending: only a member's request on a resource that needs approval waits for one",
                List.of());
    }

    private void conflicts(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.MANAGE_BOOKINGS);
        Json.ok(
                res,
                Map.of(
                        "items",
                        new BookingCheckIns(store.database(), clock)
                                .conflicts(Caller.operator(req).tenantId(), site.id())));
    }

    private record Range(Instant from, Instant until) {}

    private static Range range(QueryParameters params) {
        Optional<Instant> from = params.instant("from");
        Optional<Instant> until = params.instant("until");
        if (from.isEmpty() && params.one("from").isEmpty()) {
            params.error("from", "is required: an ISO-8601 timestamp such as 2026-11-21T00:00:00Z");
        }
        if (until.isEmpty() && params.one("until").isEmpty()) {
            params.error("until", "is required: an ISO-8601 timestamp such as 2026-11-28T00:00:00Z");
        }
        if (from.isPresent() && until.isPresent()) {
            if (!until.get().isAfter(from.get())) {
                params.error("until", "must be after from");
            } else if (Duration.between(from.get(), until.get()).compareTo(MAX_RANGE) > 0) {
                params.error("until", "is more than " + MAX_RANGE.toDays() + " days after from; ask for less");
            }
        }
        return new Range(from.orElse(Instant.EPOCH), until.orElse(Instant.EPOCH));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_SITES);
        QueryParameters params = new QueryParameters(req.query(), List.of("from", "until", "memberId", "status"));
        Range range = range(params);
        Optional<String> member = params.id("memberId");
        Optional<String> status = params.one("status");
        if (status.isPresent()
                && java.util.Arrays.stream(BookingStore.BookingStatus.values())
                        .noneMatch(s -> WireNames.wire(s).equals(status.get()))) {
            params.error("status", "must be one of confirmed, pending, cancelled, released, declined, lapsed");
        }
        params.done();
        Json.ok(
                res,
                Map.of(
                        "items",
                        store
                                .list(Caller.operator(req).tenantId(), site.id(), range.from(), range.until(), member)
                                .stream()
                                .filter(b -> status.isEmpty() || status.get().equals(b.status()))
                                .toList()));
    }

    private void availability(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_SITES);
        QueryParameters params = new QueryParameters(req.query(), List.of("from", "until"));
        Range range = range(params);
        params.done();
        String tenantId = Caller.operator(req).tenantId();
        Json.ok(
                res,
                availability(
                        resources.summaries(tenantId, site.id()),
                        store.busy(tenantId, site.id(), range.from(), range.until()),
                        range.from(),
                        range.until()));
    }

    /** Each resource with its occupied intervals (no booking ids, no members: what anyone may see). */
    static ObjectNode availability(
            List<ResourceStore.Summary> list, List<BookingStore.Busy> busy, Instant from, Instant until) {
        Map<String, List<BookingStore.Busy>> byResource = new LinkedHashMap<>();
        for (BookingStore.Busy interval : busy) {
            byResource
                    .computeIfAbsent(interval.resourceId(), id -> new ArrayList<>())
                    .add(interval);
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("from", Times.iso(from)).put("until", Times.iso(until));
        ArrayNode items = body.putArray("resources");
        for (ResourceStore.Summary resource : list) {
            ObjectNode item = items.addObject()
                    .put("id", resource.id())
                    .put("name", resource.name())
                    .put("kind", WireNames.wire(resource.kind()))
                    .put("status", WireNames.wire(resource.status()));
            ArrayNode intervals = item.putArray("busy");
            for (BookingStore.Busy interval : byResource.getOrDefault(resource.id(), List.of())) {
                intervals.addObject().put("from", Times.iso(interval.from())).put("until", Times.iso(interval.until()));
            }
        }
        return body;
    }

    static String id(Input input, String field, String what) {
        String text = input.text(field, 64);
        if (!text.isEmpty() && !Ids.isValid(text)) {
            input.error(field, "must be a " + what + " id");
        }
        return text;
    }

    private static Optional<Instant> required(Input input, String field) {
        if (!input.has(field) || input.isNull(field)) {
            input.error(field, "is required: an ISO-8601 timestamp such as 2026-11-21T09:00:00Z");
            return Optional.empty();
        }
        return input.instant(field);
    }
}
