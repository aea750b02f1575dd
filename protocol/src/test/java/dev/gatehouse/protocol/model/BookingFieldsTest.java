package dev.gatehouse.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.BookingEventKind;
import dev.gatehouse.protocol.message.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A booking's resource, invitees, check-in and join link: their limits, and that a booking without
 * them keeps the first version's wire form, which older edges read.
 */
class BookingFieldsTest {
    static final Instant START = Instant.parse("2026-03-02T14:00:00Z");
    static final Instant END = Instant.parse("2026-03-02T15:30:00Z");

    static Booking booking(Set<MemberId> invitees, Optional<Booking.CheckIn> checkIn, Optional<String> joinLink) {
        return new Booking(
                BookingId.of("bk-1"),
                MemberId.of("m-1"),
                Set.of(DoorId.of("room-2a")),
                START,
                END,
                Duration.ofMinutes(10),
                Duration.ofMinutes(5),
                Optional.of("res-room-2a"),
                invitees,
                checkIn,
                joinLink);
    }

    static Booking.CheckIn checkIn(Duration opensBefore, Duration releaseAfter) {
        return Booking.CheckIn.required(opensBefore, releaseAfter);
    }

    @Nested
    class Compatibility {
        @Test
        void aBookingWithoutTheNewFieldsIsWrittenAsTheFirstVersionsBooking() {
            // Older edges reject unknown fields: nothing new may appear unless it is set.
            Booking legacy =
                    booking(Set.of(), Optional.empty(), Optional.empty()).legacy();

            String json = MessageCodec.encodeEntity(legacy);

            assertThat(legacy.extended()).isFalse();
            assertThat(json)
                    .isEqualTo("{\"kind\":\"booking\",\"id\":\"bk-1\",\"member\":\"m-1\",\"doors\":[\"room-2a\"],"
                            + "\"start\":\"2026-03-02T14:00:00Z\",\"end\":\"2026-03-02T15:30:00Z\","
                            + "\"bufferBefore\":\"PT10M\",\"bufferAfter\":\"PT5M\"}");
        }

        @Test
        void theLegacyFormKeepsMemberDoorsTimesAndBuffersAndDropsTheRest() {
            Booking full = booking(
                    Set.of(MemberId.of("m-2")),
                    Optional.of(checkIn(Duration.ofMinutes(15), Duration.ofMinutes(15))),
                    Optional.of("https://meet.example.com/x"));

            Booking legacy = full.legacy();

            assertThat(full.extended()).isTrue();
            assertThat(legacy.extended()).isFalse();
            assertThat(legacy)
                    .extracting(
                            Booking::id,
                            Booking::member,
                            Booking::doors,
                            Booking::start,
                            Booking::end,
                            Booking::bufferBefore,
                            Booking::bufferAfter)
                    .containsExactly(
                            full.id(),
                            full.member(),
                            full.doors(),
                            full.start(),
                            full.end(),
                            full.bufferBefore(),
                            full.bufferAfter());
        }

        @Test
        void everyFieldSurvivesARoundTrip() {
            Booking full = booking(
                    Set.of(MemberId.of("m-2"), MemberId.of("m-3")),
                    Optional.of(new Booking.CheckIn(
                            Duration.ZERO, Duration.ofMinutes(5), Optional.of(Instant.parse("2026-03-02T13:58:00Z")))),
                    Optional.of("https://meet.example.com/a/b?c=d&e=%20#f"));

            assertThat(MessageCodec.decodeEntity(MessageCodec.encodeEntity(full)))
                    .isEqualTo(full);
        }

        @Test
        void anUnknownFieldInsideCheckInIsRejected() {
            String json = MessageCodec.encodeEntity(booking(
                            Set.of(), Optional.of(checkIn(Duration.ZERO, Duration.ofMinutes(5))), Optional.empty()))
                    .replace("\"releaseAfter\"", "\"grace\":\"PT1M\",\"releaseAfter\"");

            assertThatThrownBy(() -> MessageCodec.decodeEntity(json))
                    .isInstanceOfSatisfying(
                            ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.UNKNOWN_FIELD))
                    .hasMessageContaining("checkIn.grace");
        }
    }

    @Nested
    class Limits {
        @Test
        void atMostFiftyInviteesAndNeverTheBooker() {
            Set<MemberId> fifty = IntStream.range(0, 50)
                    .mapToObj(i -> MemberId.of("m-inv-" + i))
                    .collect(Collectors.toSet());
            assertThat(booking(fifty, Optional.empty(), Optional.empty()).invitees())
                    .hasSize(50);
            Set<MemberId> more = new HashSet<>(fifty);
            more.add(MemberId.of("m-inv-50"));

            assertThatThrownBy(() -> booking(more, Optional.empty(), Optional.empty()))
                    .hasMessageContaining("the limit is 50");
            assertThatThrownBy(() -> booking(Set.of(MemberId.of("m-1")), Optional.empty(), Optional.empty()))
                    .hasMessageContaining("invites its own member");
        }

        @Test
        void theCheckInWindowAndTheReleaseHaveLimits() {
            assertThatThrownBy(() -> checkIn(Duration.ofMinutes(121), Duration.ofMinutes(15)))
                    .hasMessageContaining("opensBefore");
            assertThatThrownBy(() -> checkIn(Duration.ZERO, Duration.ofMinutes(4)))
                    .hasMessageContaining("releaseAfter");
            assertThatThrownBy(() -> checkIn(Duration.ZERO, Duration.ofMinutes(121)))
                    .hasMessageContaining("releaseAfter");
        }

        @Test
        void aReleaseMustLeavePartOfTheBooking() {
            // A 90-minute booking released after 90 minutes would release nothing.
            assertThatThrownBy(() -> booking(
                            Set.of(), Optional.of(checkIn(Duration.ZERO, Duration.ofMinutes(90))), Optional.empty()))
                    .isInstanceOfSatisfying(
                            ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_VALUE))
                    .hasMessageContaining("not before its end");
            assertThat(booking(Set.of(), Optional.of(checkIn(Duration.ZERO, Duration.ofMinutes(89))), Optional.empty())
                            .releaseAt())
                    .contains(START.plus(Duration.ofMinutes(89)));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "http://meet.example.com/x",
                    "https://",
                    "https://meet.example.com/a b",
                    "https://meet.example.com/\"x\"",
                    "https://meet.example.com/<script>",
                    "javascript:alert(1)",
                    "https://-meet.example.com/"
                })
        void aJoinLinkIsAnHttpsUrlWithoutSpacesOrQuotes(String link) {
            assertThatThrownBy(() -> booking(Set.of(), Optional.empty(), Optional.of(link)))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("joinLink");
        }

        @Test
        void aJoinLinkHasAtMost500Characters() {
            String base = "https://meet.example.com/";
            String exactly500 = base + "a".repeat(500 - base.length());
            assertThat(booking(Set.of(), Optional.empty(), Optional.of(exactly500))
                            .joinLink())
                    .contains(exactly500);

            assertThatThrownBy(() -> booking(Set.of(), Optional.empty(), Optional.of(exactly500 + "a")))
                    .hasMessageContaining("the limit is 500");
        }

        @Test
        void theResourceIsAnId() {
            assertThatThrownBy(() -> new Booking(
                            BookingId.of("bk-1"),
                            MemberId.of("m-1"),
                            Set.of(DoorId.of("room-2a")),
                            START,
                            END,
                            Duration.ZERO,
                            Duration.ZERO,
                            Optional.of("room 2a"),
                            Set.of(),
                            Optional.empty(),
                            Optional.empty()))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("resource");
        }
    }

    @Nested
    class Release {
        final Booking booking = booking(
                Set.of(), Optional.of(checkIn(Duration.ofMinutes(15), Duration.ofMinutes(10))), Optional.empty());

        @Test
        void checkInCountsFromOpensBeforeUntilTheReleaseExclusive() {
            assertThat(booking.checkInOpen(START.minus(Duration.ofMinutes(15)))).isTrue();
            assertThat(booking.checkInOpen(START.minus(Duration.ofMinutes(15)).minusMillis(1)))
                    .isFalse();
            assertThat(booking.checkInOpen(START.plus(Duration.ofMinutes(10)).minusMillis(1)))
                    .isTrue();
            assertThat(booking.checkInOpen(START.plus(Duration.ofMinutes(10)))).isFalse();
        }

        @Test
        void withoutACheckInTheBookingIsReleasedAtItsReleaseTime() {
            Instant release = START.plus(Duration.ofMinutes(10));
            assertThat(booking.releasedAt(release.minusMillis(1), Optional.empty()))
                    .isFalse();
            assertThat(booking.releasedAt(release, Optional.empty())).isTrue();
            assertThat(booking.releasedAt(release, Optional.of(START))).isFalse();
            Booking checkedAtHub = new Booking(
                    booking.id(),
                    booking.member(),
                    booking.doors(),
                    START,
                    END,
                    booking.bufferBefore(),
                    booking.bufferAfter(),
                    booking.resource(),
                    booking.invitees(),
                    Optional.of(
                            new Booking.CheckIn(Duration.ofMinutes(15), Duration.ofMinutes(10), Optional.of(START))),
                    Optional.empty());
            assertThat(checkedAtHub.releasedAt(END, Optional.empty())).isFalse();
            assertThat(booking.legacy().releasedAt(END, Optional.empty())).isFalse();
        }
    }

    @Nested
    class Events {
        @Test
        void aCheckInNamesWhoTappedAndWhereAndAReleaseNeither() {
            // The hub records who checked in (the member or an invitee) for the operator; a release
            // is nobody's act.
            BookingId booking = BookingId.of("bk-1");
            assertThatThrownBy(() -> new BookingEvent(
                            "hq", booking, BookingEventKind.CHECKED_IN, Optional.empty(), Optional.of(DoorId.of("d"))))
                    .hasMessageContaining("names the member who tapped");
            assertThatThrownBy(() -> new BookingEvent(
                            "hq",
                            booking,
                            BookingEventKind.RELEASED,
                            Optional.of(MemberId.of("m-1")),
                            Optional.empty()))
                    .hasMessageContaining("names no member");

            for (BookingEvent event : java.util.List.of(
                    BookingEvent.checkedIn("hq", booking, MemberId.of("m-2"), DoorId.of("room")),
                    BookingEvent.released("hq", booking))) {
                Envelope envelope = new Envelope("ev-1", START, event);
                assertThat(MessageCodec.decode(MessageCodec.encode(envelope))).isEqualTo(envelope);
            }
        }
    }
}
