package dev.gatehouse.edge.cache;

import static dev.gatehouse.edge.cache.CacheFixtures.T0;
import static dev.gatehouse.edge.cache.CacheFixtures.batch;
import static dev.gatehouse.edge.cache.CacheFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.MemberId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Check-ins and releases recorded at the edge: each once per booking, in the file, so a restart
 * neither forgets a check-in (the door would refuse a member who checked in) nor reports a release
 * twice; and the bookings due for release found by the lookup the triggers keep.
 */
class BookingStatesTest {
    static final Instant START = T0.plus(Duration.ofHours(2));
    static final Instant RELEASE = START.plus(Duration.ofMinutes(15));

    @TempDir
    Path directory;

    static Booking meeting(String id, Optional<Instant> checkedInAtHub) {
        return new Booking(
                BookingId.of(id),
                MemberId.of("m-1"),
                Set.of(DoorId.of("room")),
                START,
                START.plus(Duration.ofHours(1)),
                Duration.ZERO,
                Duration.ZERO,
                Optional.empty(),
                Set.of(MemberId.of("m-2")),
                Optional.of(new Booking.CheckIn(Duration.ofMinutes(10), Duration.ofMinutes(15), checkedInAtHub)),
                Optional.empty());
    }

    @Test
    void aBookingIsCheckedInOnceAndTheCheckInOutlivesARestart() {
        BookingId booking = BookingId.of("bk-1");
        try (SqliteEntitlementCache cache = CacheFixtures.open(directory)) {
            cache.apply(batch(1, upsert(meeting("bk-1", Optional.empty()))));

            assertThat((boolean) cache.inTransaction(tx -> tx.recordCheckIn(booking, START, "ev-1")))
                    .isTrue();
            assertThat((boolean) cache.inTransaction(tx -> tx.recordCheckIn(booking, START.plusSeconds(5), "ev-2")))
                    .as("a second tap checks nothing in")
                    .isFalse();
            assertThat((boolean) cache.inTransaction(tx -> tx.recordRelease(booking, RELEASE, "ev-3")))
                    .as("a checked-in booking is never released")
                    .isFalse();
        }
        try (SqliteEntitlementCache reopened = CacheFixtures.open(directory)) {
            assertThat(reopened.checkedIn(booking)).contains(START);
            Optional<Instant> inAView = reopened.reading(view -> view.checkedIn(booking));
            assertThat(inAView).contains(START);
            assertThat(reopened.checkedIn(BookingId.of("bk-other"))).isEmpty();
            assertThat(reopened.releasesDue(RELEASE.plusSeconds(60))).isEmpty();
        }
    }

    @Test
    void aReleaseIsRecordedOnceAndThenNoLongerDueEvenAfterARestart() {
        BookingId booking = BookingId.of("bk-1");
        try (SqliteEntitlementCache cache = CacheFixtures.open(directory)) {
            cache.apply(batch(1, upsert(meeting("bk-1", Optional.empty()))));
            assertThat(cache.releasesDue(RELEASE.minusMillis(1))).isEmpty();
            assertThat(cache.releasesDue(RELEASE)).extracting(Booking::id).containsExactly(booking);

            assertThat((boolean) cache.inTransaction(tx -> tx.recordRelease(booking, RELEASE, "ev-1")))
                    .isTrue();
            assertThat((boolean) cache.inTransaction(tx -> tx.recordRelease(booking, RELEASE, "ev-2")))
                    .isFalse();
        }
        try (SqliteEntitlementCache reopened = CacheFixtures.open(directory)) {
            assertThat(reopened.releasesDue(RELEASE.plusSeconds(60))).isEmpty();
            assertThat(reopened.checkedIn(booking)).isEmpty();
        }
    }

    @Test
    void aTapInTimeThatLostTheRaceToTheReleaseStillChecksIn() {
        // The tap was decided before the release time and the door opened: the hub must hear of both.
        BookingId booking = BookingId.of("bk-1");
        try (SqliteEntitlementCache cache = CacheFixtures.open(directory)) {
            cache.apply(batch(1, upsert(meeting("bk-1", Optional.empty()))));
            cache.inTransaction(tx -> tx.recordRelease(booking, RELEASE, "ev-release"));

            assertThat((boolean)
                            cache.inTransaction(tx -> tx.recordCheckIn(booking, RELEASE.minusMillis(1), "ev-check-in")))
                    .isTrue();
            assertThat(cache.checkedIn(booking)).contains(RELEASE.minusMillis(1));
        }
    }

    @Test
    void onlyBookingsThatNeedACheckInAndHaveNoneAreDue() {
        try (SqliteEntitlementCache cache = CacheFixtures.open(directory)) {
            cache.apply(batch(
                    1,
                    upsert(meeting("bk-open", Optional.empty())),
                    upsert(meeting("bk-at-hub", Optional.of(START))),
                    upsert(meeting("bk-removed", Optional.empty())),
                    upsert(meeting("bk-checked-in", Optional.empty())),
                    upsert(meeting("bk-open", Optional.empty()).legacy()),
                    upsert(meeting("bk-moved", Optional.empty()))));
            cache.apply(batch(
                    7,
                    CacheFixtures.remove(EntityKind.BOOKING, "bk-removed"),
                    upsert(moved(meeting("bk-moved", Optional.empty()), Duration.ofHours(1)))));
            cache.inTransaction(tx -> tx.recordCheckIn(BookingId.of("bk-checked-in"), START, "ev-1"));

            // bk-open lost its check-in in its last upsert; bk-moved starts an hour later now.
            assertThat(cache.releasesDue(RELEASE)).isEmpty();
            assertThat(cache.releasesDue(RELEASE.plus(Duration.ofHours(1))))
                    .extracting(b -> b.id().value())
                    .containsExactly("bk-moved");
        }
    }

    @Test
    void aBookingIsFoundByEachInviteeUntilItsInviteesChange() {
        try (SqliteEntitlementCache cache = CacheFixtures.open(directory)) {
            Booking booking = meeting("bk-1", Optional.empty());
            cache.apply(batch(1, upsert(booking)));
            assertThat(cache.bookingsOf(MemberId.of("m-2"))).containsExactly(booking);

            cache.apply(batch(2, upsert(booking.legacy())));

            assertThat(cache.bookingsOf(MemberId.of("m-2"))).isEmpty();
            assertThat(cache.bookingsOf(MemberId.of("m-1"))).containsExactly(booking.legacy());
        }
    }

    private static Booking moved(Booking booking, Duration by) {
        return new Booking(
                booking.id(),
                booking.member(),
                booking.doors(),
                booking.start().plus(by),
                booking.end().plus(by),
                booking.bufferBefore(),
                booking.bufferAfter(),
                booking.resource(),
                booking.invitees(),
                booking.checkIn(),
                booking.joinLink());
    }
}
