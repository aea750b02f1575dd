package dev.gatehouse.edge.bookings;

import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No-show release at the edge, decided without the hub: a booking that needs a check-in and has none
 * when {@code start + releaseAfter} comes is reported released ({@code event.booking}
 * {@code released}) through the outbox, once. The doors stop granting it at that instant whatever
 * this sweep does — the policy engine decides a release from the time alone — so the sweep only has
 * to report it, and may run a few seconds late.
 *
 * <p>Exactly once, across restarts and several processes on one cache: the release is recorded in the
 * cache with one conditional write in the same transaction as its event, and the event's id is derived
 * from the booking's id, so even a second edge of the site reports it under the same id. Only on a
 * trusted clock: a clock set wrongly ahead would otherwise release bookings that are not due, and the
 * hub would free their rooms.
 */
public final class BookingReleases {
    private static final Logger log = LoggerFactory.getLogger(BookingReleases.class);

    /** How often the agent sweeps. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);

    private final String site;
    private final EdgeCache cache;
    private final Clock clock;
    private final BooleanSupplier clockTrusted;
    private final Consumer<Released> listener;

    /** A release this sweep recorded, with its event. */
    public record Released(Booking booking, Envelope event) {}

    public BookingReleases(
            String site, EdgeCache cache, Clock clock, BooleanSupplier clockTrusted, Consumer<Released> listener) {
        this.site = Objects.requireNonNull(site, "site");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clockTrusted = Objects.requireNonNull(clockTrusted, "clockTrusted");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The id of the release event of {@code booking}: the same at every edge and every time. */
    public static String eventId(BookingId booking) {
        return "release-"
                + UUID.nameUUIDFromBytes(
                        ("gatehouse-booking-release:" + booking.value()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Records and reports every booking due for release now, each in its own transaction with its
     * event; answers those it released (none on an untrusted clock). A failure is logged and left to
     * the next sweep: nothing of it was recorded.
     */
    public List<Released> sweep() {
        if (!clockTrusted.getAsBoolean()) {
            return List.of();
        }
        Instant now = clock.instant();
        List<Released> released = new ArrayList<>();
        for (Booking booking : cache.releasesDue(now)) {
            Envelope event = new Envelope(eventId(booking.id()), now, BookingEvent.released(site, booking.id()));
            try {
                boolean first = cache.inTransaction(tx -> {
                    if (!tx.recordRelease(booking.id(), now, event.id())) {
                        return false;
                    }
                    tx.append(event);
                    return true;
                });
                if (first) {
                    released.add(new Released(booking, event));
                }
            } catch (RuntimeException e) {
                log.warn(
                        "booking {}: could not record its release, tried again in the next sweep: {}",
                        booking.id(),
                        e.toString());
            }
        }
        released.forEach(listener);
        return List.copyOf(released);
    }
}
