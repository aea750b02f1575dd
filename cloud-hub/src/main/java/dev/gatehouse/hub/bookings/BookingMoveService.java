package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.Optional;

/**
 * Moving a booking: a single one, or one occurrence of a series (which stays its RECURRENCE-ID).
 *
 * <pre>
 * PATCH /api/v1/bookings/{bookingId}   new start, end and/or title: 200; 422 every broken rule; 409 the collision
 * </pre>
 */
public record BookingMoveService(BookingStore bookings, BookingMoves moves, Audit audit, int maxBody)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.patch("/bookings/{bookingId}", this::move);
    }

    private void move(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        Input input = Input.of(Json.object(req, maxBody), "start", "end", "title", "overrideReason");
        Optional<Instant> start = input.instant("start");
        Optional<Instant> end = input.instant("end");
        Optional<String> title = input.optionalText("title", 200);
        Optional<String> override = input.optionalText("overrideReason", 500).map(String::strip);
        if (!input.has("start") && !input.has("end") && !input.has("title")) {
            input.error("start", "send a new start, end or title (or several)");
        }
        input.done();
        String id = PathIds.id(req, "bookingId", "booking");
        BookingView current = StoreResults.found(bookings.find(caller.tenantId(), id), "booking", id);
        caller.requireCovers(current.siteId(), "booking", id);
        caller.require(Permission.MANAGE_BOOKINGS, current.siteId());
        BookingStore.Outcome outcome = StoreResults.value(moves.move(
                caller.tenantId(), id, new BookingMoves.Move(start, end, title, override, caller.actorId())));
        switch (outcome) {
            case BookingStore.Outcome.Booked moved -> {
                audit.record(
                        req,
                        caller,
                        override.isPresent() ? "booking.move-override" : "booking.move",
                        "booking",
                        id,
                        current.siteId(),
                        current,
                        moved.booking());
                Json.ok(res, moved.booking());
            }
            case BookingStore.Outcome.Refused refused -> throw BookingService.refusal(refused.violations());
            case BookingStore.Outcome.Collides collides -> throw BookingService.collision(collides);
        }
    }
}
