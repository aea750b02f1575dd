package dev.gatehouse.protocol.policy;

import static dev.gatehouse.protocol.policy.SiteFixture.CHRISTMAS;
import static dev.gatehouse.protocol.policy.SiteFixture.EAST;
import static dev.gatehouse.protocol.policy.SiteFixture.FLOOR_2;
import static dev.gatehouse.protocol.policy.SiteFixture.FRONT;
import static dev.gatehouse.protocol.policy.SiteFixture.ROOM_A;
import static dev.gatehouse.protocol.policy.SiteFixture.ROOM_B;
import static dev.gatehouse.protocol.policy.SiteFixture.SERVER_ROOM;
import static dev.gatehouse.protocol.policy.SiteFixture.SITE_ID;
import static dev.gatehouse.protocol.policy.SiteFixture.WEEKDAYS;
import static dev.gatehouse.protocol.policy.SiteFixture.ZONE;
import static dev.gatehouse.protocol.policy.SiteFixture.berlin;
import static dev.gatehouse.protocol.policy.SiteFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.policy.Decision.Denied;
import dev.gatehouse.protocol.policy.Decision.Granted;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The access policy engine against a small Berlin site ({@link SiteFixture}). Every assertion compares
 * the whole decision: a grant's basis, source and unlock time, or a denial's exact reason, because the
 * reason is what the operator reads in the access log and what the member is told at the desk.
 */
class PolicyEngineTest {
    /** Wednesday 17 June 2026, 12:00 in Berlin (CEST): inside the weekday schedule. */
    private static final Instant WEDNESDAY_NOON = berlin("2026-06-17T12:00");
    /** Saturday 20 June 2026, 03:00 in Berlin: outside the weekday schedule. */
    private static final Instant SATURDAY_NIGHT = berlin("2026-06-20T03:00");

    private static final DoorMode LOCKDOWN = new DoorMode.Lockdown(Set.of("security"));

    private final SiteFixture site = SiteFixture.berlin();

    private Granted granted(DoorId door, GrantBasis basis, String source) {
        return new Granted(site.unlockFor(door), basis, Optional.of(source));
    }

    private Granted grantedWithoutSource(DoorId door, GrantBasis basis) {
        return new Granted(site.unlockFor(door), basis, Optional.empty());
    }

    private static Denied denied(DenyReason reason) {
        return new Denied(reason);
    }

    /** What the reader presents for the card enrolled as {@code <member>-card}. */
    private Presented.Card cardOf(String member) {
        return new Presented.Card(site.entitlements
                .credential(CredentialId.of(member + "-card"))
                .orElseThrow()
                .cardHash()
                .orElseThrow());
    }

    /** A table's outcome column: a {@link GrantBasis} name (granted by {@code source}) or a {@link DenyReason} name. */
    private Decision outcome(String name, DoorId door, String source) {
        boolean isBasis = Arrays.stream(GrantBasis.values())
                .anyMatch(basis -> basis.name().equals(name));
        return isBasis ? granted(door, GrantBasis.valueOf(name), source) : denied(DenyReason.valueOf(name));
    }

    @Nested
    class MembersAndCredentials {

        @ParameterizedTest(name = "a {0} member with a valid active card: {1}")
        @CsvSource({"ACTIVE, MEMBER_GRANT", "SUSPENDED, MEMBER_SUSPENDED", "CANCELLED, MEMBER_CANCELLED"})
        void memberStatusDecidesEvenWhenTheCardIsValid(MemberStatus status, String expected) {
            // Suspending a member (unpaid invoice) leaves their cards ACTIVE, so that lifting the
            // suspension needs no card re-issue: the member's own status must keep them out.
            MemberId ada = site.member("ada", status);
            Presented.Card card = site.card("ada-card", ada);
            site.grant("ada-front", ada, Optional.empty(), FRONT);

            assertThat(site.decide(card, FRONT, WEDNESDAY_NOON)).isEqualTo(outcome(expected, FRONT, "ada-front"));
        }

        @ParameterizedTest(name = "a {0} card of an active member: {1}")
        @CsvSource({
            "ACTIVE, MEMBER_GRANT",
            "SUSPENDED, CREDENTIAL_SUSPENDED",
            "LOST, CREDENTIAL_LOST",
            "REVOKED, CREDENTIAL_REVOKED"
        })
        void cardStatusDecidesForAnActiveMember(CredentialStatus status, String expected) {
            // A lost card must stop working at once even though its owner is in good standing, and
            // the log must say "lost" so the desk does not treat it as a billing problem.
            MemberId ada = site.activeMember("ada");
            Presented.Card card = site.card("ada-card", ada, status, Optional.empty(), Optional.empty());
            site.grant("ada-front", ada, Optional.empty(), FRONT);

            assertThat(site.decide(card, FRONT, WEDNESDAY_NOON)).isEqualTo(outcome(expected, FRONT, "ada-front"));
        }

        @ParameterizedTest(name = "at {0} Berlin time: {1}")
        @CsvSource({
            "2026-05-31T23:59:59, CREDENTIAL_NOT_YET_VALID",
            "2026-06-01T00:00:00, MEMBER_GRANT",
            "2026-06-30T23:59:59, MEMBER_GRANT",
            "2026-07-01T00:00:00, CREDENTIAL_EXPIRED"
        })
        void cardValidityWindowStartsInclusiveAndEndsExclusive(LocalDateTime local, String expected) {
            // A day pass card for June: valid from the first instant of 1 June up to, but not at,
            // the first instant of 1 July, so consecutive passes never overlap or leave a gap.
            MemberId ada = site.activeMember("ada");
            Presented.Card card = site.card(
                    "ada-june-card",
                    ada,
                    CredentialStatus.ACTIVE,
                    Optional.of(berlin("2026-06-01T00:00")),
                    Optional.of(berlin("2026-07-01T00:00")));
            site.grant("ada-front", ada, Optional.empty(), FRONT);

            assertThat(site.decide(card, FRONT, local.atZone(ZONE).toInstant()))
                    .isEqualTo(outcome(expected, FRONT, "ada-front"));
        }

        @Test
        void cardNobodyEnrolledIsAnUnknownCredential() {
            // Someone's hotel key card: the log must tell it apart from a member's revoked card.
            MemberId ada = site.activeMember("ada");
            site.card("ada-card", ada);
            site.grant("ada-front", ada, Optional.empty(), FRONT);

            assertThat(site.decide(site.unknownCard(), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.UNKNOWN_CREDENTIAL));
        }

        @Test
        void cardWhoseMemberIsNotInTheCacheIsAnUnknownMember() {
            // Sync may deliver a credential before its member; until the member arrives, the card
            // must not open anything, even with a grant already present.
            MemberId ghost = MemberId.of("ghost");
            Presented.Card card = site.card("ghost-card", ghost);
            site.grant("ghost-front", ghost, Optional.empty(), FRONT);

            assertThat(site.decide(card, FRONT, WEDNESDAY_NOON)).isEqualTo(denied(DenyReason.UNKNOWN_MEMBER));
        }

        @Test
        void doorTheSiteDoesNotKnowIsDeniedAsUnknownDoor() {
            // A reader wired to a door the hub has not configured yet must keep it locked even for
            // a member who may pass everything else.
            MemberId ada = site.activeMember("ada");
            Presented.Card card = site.card("ada-card", ada);
            site.grant("ada-front", ada, Optional.empty(), FRONT);

            assertThat(site.decide(card, DoorId.of("back-yard"), WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.UNKNOWN_DOOR));
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = DenyReason.class, names = "QR_.*", mode = EnumSource.Mode.MATCH_ALL)
        void rejectedQrCodeIsDeniedWithTheVerifiersReason(DenyReason reason) {
            // The reader verified the token and failed; the engine must log the verifier's reason
            // rather than a generic one, so a forged code is told apart from an expired one.
            assertThat(site.decide(new Presented.Rejected(reason), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(reason));
        }
    }

    @Nested
    class DoorsAndDoorGroups {
        private MemberId ada;
        private Presented.Card card;

        @BeforeEach
        void enrolAda() {
            ada = site.activeMember("ada");
            card = site.card("ada-card", ada);
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({
            "floor2-east, MEMBER_GRANT",
            "floor2-west, MEMBER_GRANT",
            "front, NO_ACCESS_TO_DOOR",
            "server-room, NO_ACCESS_TO_DOOR"
        })
        void grantForADoorGroupCoversExactlyTheGroupsDoors(DoorId door, String expected) {
            // Plans name door groups ("Floor 2"); a floor-2 plan must open both floor-2 doors and
            // nothing else, not even the front entrance.
            site.groupGrant("ada-floor-2", ada, Optional.empty(), FLOOR_2);

            assertThat(site.decide(card, door, WEDNESDAY_NOON)).isEqualTo(outcome(expected, door, "ada-floor-2"));
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({"server-room, MEMBER_GRANT", "floor2-east, NO_ACCESS_TO_DOOR", "front, NO_ACCESS_TO_DOOR"})
        void grantForASingleDoorCoversOnlyThatDoor(DoorId door, String expected) {
            // Add-ons such as server room access are granted door by door.
            site.grant("ada-server-room", ada, Optional.empty(), SERVER_ROOM);

            assertThat(site.decide(card, door, WEDNESDAY_NOON)).isEqualTo(outcome(expected, door, "ada-server-room"));
        }

        @Test
        void memberWithoutAnyGrantHasNoAccess() {
            // An active member whose plan was not compiled yet must not open doors by default.
            assertThat(site.decide(card, FRONT, WEDNESDAY_NOON)).isEqualTo(denied(DenyReason.NO_ACCESS_TO_DOOR));
        }

        @Test
        void grantNamingADoorGroupTheCacheLacksOpensNothing() {
            // If sync removed a door group (or has not delivered it yet) while a grant still names
            // it, the engine must fail closed rather than guess the group's doors.
            site.groupGrant("ada-floor-2", ada, Optional.empty(), FLOOR_2);
            site.entitlements.remove(EntityKind.DOOR_GROUP, FLOOR_2.value());

            assertThat(site.decide(card, EAST, WEDNESDAY_NOON)).isEqualTo(denied(DenyReason.NO_ACCESS_TO_DOOR));
        }
    }

    @Nested
    class WeeklySchedules {
        private MemberId ada;
        private Presented.Card card;

        @BeforeEach
        void enrolAda() {
            ada = site.activeMember("ada");
            card = site.card("ada-card", ada);
        }

        @ParameterizedTest(name = "{0} Berlin time: {1}")
        @CsvSource({
            "2026-06-17T07:59:59, OUTSIDE_SCHEDULE", // one second before the window opens
            "2026-06-17T08:00:00, MEMBER_GRANT", // the window's first second
            "2026-06-17T12:00:00, MEMBER_GRANT",
            "2026-06-17T17:59:59, MEMBER_GRANT", // the window's last second
            "2026-06-17T18:00:00, OUTSIDE_SCHEDULE", // the end is exclusive
            "2026-06-20T12:00:00, OUTSIDE_SCHEDULE" // a Saturday
        })
        void weekdayWindowOpensAtItsStartAndClosesAtItsEnd(LocalDateTime local, String expected) {
            // Members check the opening hours in the app; the door must agree to the second.
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), FRONT);

            assertThat(site.decide(card, FRONT, local.atZone(ZONE).toInstant()))
                    .isEqualTo(outcome(expected, FRONT, "ada-weekdays"));
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({
            "2026-06-17T05:59:59Z, OUTSIDE_SCHEDULE", // 07:59:59 CEST
            "2026-06-17T06:00:00Z, MEMBER_GRANT", // 08:00 CEST, although 06:00 in UTC
            "2026-06-17T15:59:59Z, MEMBER_GRANT", // 17:59:59 CEST
            "2026-06-17T16:00:00Z, OUTSIDE_SCHEDULE" // 18:00 CEST, although 16:00 in UTC
        })
        void windowsAreWallClockTimesInTheSitesZoneNotUtc(Instant at, String expected) {
            // Edges run on UTC; a schedule read in UTC would open the Berlin site two hours late.
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), FRONT);

            assertThat(site.decide(card, FRONT, at)).isEqualTo(outcome(expected, FRONT, "ada-weekdays"));
        }

        @ParameterizedTest(name = "{0} Berlin time: {1}")
        @CsvSource({
            "2026-06-19T19:59:59, OUTSIDE_SCHEDULE",
            "2026-06-19T20:00:00, MEMBER_GRANT",
            "2026-06-19T23:59:59, MEMBER_GRANT", // the last second of Friday
            "2026-06-20T00:00:00, OUTSIDE_SCHEDULE" // Saturday midnight: the window was Friday's
        })
        void windowEndingAt2400LastsUntilMidnight(LocalDateTime local, String expected) {
            // "Until midnight" is written 24:00; the last minute of the day must be inside it.
            ScheduleId lateFriday =
                    site.schedule("late-friday", HolidayRule.CLOSED, TimeWindow.of(DayOfWeek.FRIDAY, "20:00", "24:00"));
            site.grant("ada-late", ada, Optional.of(lateFriday), FRONT);

            assertThat(site.decide(card, FRONT, local.atZone(ZONE).toInstant()))
                    .isEqualTo(outcome(expected, FRONT, "ada-late"));
        }

        @Test
        void scheduleClosedOnHolidaysDeniesOnASiteHolidayButNotTheDayBefore() {
            // Christmas Day is a Friday: the weekday plan would open the door if holidays were ignored.
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), FRONT);

            assertThat(site.decide(card, FRONT, berlin("2026-12-25T10:00"))).isEqualTo(denied(DenyReason.SITE_HOLIDAY));
            assertThat(site.decide(card, FRONT, berlin("2026-12-24T10:00")))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-weekdays"));
        }

        @Test
        void scheduleThatIgnoresHolidaysStillGrantsOnASiteHoliday() {
            // Staff and 24/7 plans keep working over Christmas.
            ScheduleId weekdaysAllYear = site.schedule(
                    "weekdays-all-year", HolidayRule.IGNORED, TimeWindow.of(DayOfWeek.FRIDAY, "08:00", "18:00"));
            site.grant("ada-all-year", ada, Optional.of(weekdaysAllYear), FRONT);

            assertThat(site.decide(card, FRONT, berlin("2026-12-25T10:00")))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-all-year"));
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({
            "2026-12-24T22:59:59Z, MEMBER_GRANT", // Thursday 23:59:59 CET, the day before
            "2026-12-24T23:00:00Z, SITE_HOLIDAY" // Friday 00:00 CET: already Christmas in Berlin
        })
        void holidayIsTheSitesLocalDateNotTheUtcDate(Instant at, String expected) {
            // At 00:30 on Christmas morning in Berlin it is still 24 December in UTC.
            ScheduleId allDay = site.schedule(
                    "thu-fri-all-day",
                    HolidayRule.CLOSED,
                    TimeWindow.of(DayOfWeek.THURSDAY, "00:00", "24:00"),
                    TimeWindow.of(DayOfWeek.FRIDAY, "00:00", "24:00"));
            site.grant("ada-all-day", ada, Optional.of(allDay), FRONT);
            assertThat(CHRISTMAS.getDayOfWeek()).isEqualTo(DayOfWeek.FRIDAY);

            assertThat(site.decide(card, FRONT, at)).isEqualTo(outcome(expected, FRONT, "ada-all-day"));
        }

        @ParameterizedTest(name = "{0} Berlin time: {1}")
        @CsvSource({
            "2026-05-31T23:59:59, GRANT_NOT_YET_VALID",
            "2026-06-01T00:00:00, MEMBER_GRANT",
            "2026-06-30T23:59:59, MEMBER_GRANT",
            "2026-07-01T00:00:00, GRANT_EXPIRED"
        })
        void grantValidityWindowStartsInclusiveAndEndsExclusive(LocalDateTime local, String expected) {
            // A June membership: the plan starts and ends at midnight, whatever the card says.
            site.grant(
                    "ada-june",
                    ada,
                    Optional.empty(),
                    Optional.of(berlin("2026-06-01T00:00")),
                    Optional.of(berlin("2026-07-01T00:00")),
                    Set.of(FRONT),
                    Set.of());

            assertThat(site.decide(card, FRONT, local.atZone(ZONE).toInstant()))
                    .isEqualTo(outcome(expected, FRONT, "ada-june"));
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "2026-06-20T03:00:00Z", // Saturday night
            "2026-12-25T09:00:00Z", // a site holiday
            "2026-03-29T01:30:00Z", // the hour after the spring-forward gap
            "2026-10-25T00:30:00Z", // the first 02:30 of the fall-back night
        })
        void grantWithoutScheduleGrantsAtAnyTime(Instant at) {
            // 24/7 plans carry no schedule; neither weekends, holidays nor DST may close them.
            site.grant("ada-always", ada, Optional.empty(), FRONT);

            assertThat(site.decide(card, FRONT, at)).isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-always"));
        }

        @Test
        void scheduledGrantWaitsForTheSiteButAnUnscheduledGrantDoesNot() {
            // Before the first sync delivers the site, the zone is unknown: a wall-clock schedule
            // cannot be judged and must not be guessed in UTC, but a 24/7 grant needs no zone.
            SiteFixture unsynced = SiteFixture.withoutSite();
            MemberId bob = unsynced.activeMember("bob");
            Presented.Card bobsCard = unsynced.card("bob-card", bob);
            unsynced.grant("bob-weekdays", bob, Optional.of(WEEKDAYS), FRONT);
            unsynced.grant("bob-server-room", bob, Optional.empty(), SERVER_ROOM);

            assertThat(unsynced.decide(bobsCard, FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.SITE_NOT_CONFIGURED));
            assertThat(unsynced.decide(bobsCard, SERVER_ROOM, WEDNESDAY_NOON))
                    .isEqualTo(new Granted(
                            unsynced.unlockFor(SERVER_ROOM), GrantBasis.MEMBER_GRANT, Optional.of("bob-server-room")));
        }

        @Test
        void grantWhoseScheduleIsNotInTheCacheOpensNothing() {
            // A grant that arrived before its schedule must fail closed, not be read as "always".
            site.grant("ada-night", ada, Optional.of(ScheduleId.of("night-owls")), FRONT);

            assertThat(site.decide(card, FRONT, WEDNESDAY_NOON)).isEqualTo(denied(DenyReason.OUTSIDE_SCHEDULE));
        }

        @Test
        void laterGrantThatCoversTheTimeOpensAfterAnEarlierOneDoesNot() {
            // A member with a weekday plan and a weekend add-on must pass on Saturday whichever
            // grant is looked at first; when none opens, the first grant's reason is reported.
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), FRONT);
            ScheduleId saturdays =
                    site.schedule("saturdays", HolidayRule.CLOSED, TimeWindow.of(DayOfWeek.SATURDAY, "10:00", "16:00"));
            site.grant("ada-saturdays", ada, Optional.of(saturdays), FRONT);

            assertThat(site.decide(card, FRONT, berlin("2026-06-20T12:00")))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-saturdays"));
            assertThat(site.decide(card, FRONT, SATURDAY_NIGHT)).isEqualTo(denied(DenyReason.OUTSIDE_SCHEDULE));
        }
    }

    /**
     * Europe/Berlin in 2026: clocks go forward on Sunday 29 March (02:00 CET becomes 03:00 CEST, so
     * local 02:00-02:59 never happens) and back on Sunday 25 October (03:00 CEST becomes 02:00 CET,
     * so local 02:00-02:59 happens twice). Expected instants are computed with {@link ZonedDateTime}
     * and pinned to UTC literals, so that the tests state exactly which real instants they mean.
     */
    @Nested
    class DaylightSavingTime {
        private static final LocalDate SPRING_FORWARD = LocalDate.of(2026, 3, 29);
        private static final LocalDate FALL_BACK = LocalDate.of(2026, 10, 25);

        private MemberId ada;
        private Presented.Card card;

        @BeforeEach
        void enrolAda() {
            ada = site.activeMember("ada");
            card = site.card("ada-card", ada);
        }

        @Test
        void sundayWindowInsideTheSpringForwardGapNeverOpensThatDay() {
            // Local 02:00-03:00 does not exist on 29 March: the door must stay shut all day rather
            // than open at some UTC-shifted hour.
            assertThat(SPRING_FORWARD.getDayOfWeek()).isEqualTo(DayOfWeek.SUNDAY);
            ScheduleId gap =
                    site.schedule("sun-2-3", HolidayRule.CLOSED, TimeWindow.of(DayOfWeek.SUNDAY, "02:00", "03:00"));
            site.grant("ada-gap", ada, Optional.of(gap), FRONT);

            assertThat(grantedMinutes(SPRING_FORWARD)).isEmpty();
            // The same window works on an ordinary Sunday, so the empty list above means something.
            assertThat(site.decide(card, FRONT, berlin("2026-03-22T02:30")))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-gap"));
        }

        @Test
        void sundayWindowFromThreeOpensAtOneUtcOnTheSpringForwardDay() {
            // 03:00 CEST is the first instant after the gap: 01:00Z. One second earlier it is still
            // 01:59:59 CET, which is outside 03:00-04:00.
            ScheduleId afterGap =
                    site.schedule("sun-3-4", HolidayRule.CLOSED, TimeWindow.of(DayOfWeek.SUNDAY, "03:00", "04:00"));
            site.grant("ada-after-gap", ada, Optional.of(afterGap), FRONT);
            Instant threeOClock =
                    ZonedDateTime.of(SPRING_FORWARD, LocalTime.of(3, 0), ZONE).toInstant();
            assertThat(threeOClock).isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
            assertThat(ZonedDateTime.ofInstant(threeOClock.minusSeconds(1), ZONE)
                            .toLocalTime())
                    .isEqualTo(LocalTime.of(1, 59, 59));

            assertThat(site.decide(card, FRONT, threeOClock))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-after-gap"));
            assertThat(site.decide(card, FRONT, threeOClock.minusSeconds(1)))
                    .isEqualTo(denied(DenyReason.OUTSIDE_SCHEDULE));
            // The window is one real hour long: 01:00Z up to 02:00Z.
            assertThat(grantedMinutes(SPRING_FORWARD))
                    .hasSize(60)
                    .startsWith(Instant.parse("2026-03-29T01:00:00Z"))
                    .endsWith(Instant.parse("2026-03-29T01:59:00Z"));
        }

        @Test
        void sundayWindowInsideTheRepeatedHourOpensBothTimesOnTheFallBackDay() {
            // Local 02:30 happens twice on 25 October: first in CEST (UTC+2) at 00:30Z, then in CET
            // (UTC+1) at 01:30Z. A member allowed "02:00-03:00" must pass at both.
            assertThat(FALL_BACK.getDayOfWeek()).isEqualTo(DayOfWeek.SUNDAY);
            ScheduleId repeated =
                    site.schedule("sun-2-3", HolidayRule.CLOSED, TimeWindow.of(DayOfWeek.SUNDAY, "02:00", "03:00"));
            site.grant("ada-repeated", ada, Optional.of(repeated), FRONT);
            ZonedDateTime halfPastTwo = ZonedDateTime.of(FALL_BACK, LocalTime.of(2, 30), ZONE);
            Instant firstHalfPastTwo = halfPastTwo.withEarlierOffsetAtOverlap().toInstant();
            Instant secondHalfPastTwo = halfPastTwo.withLaterOffsetAtOverlap().toInstant();
            assertThat(firstHalfPastTwo).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
            assertThat(secondHalfPastTwo).isEqualTo(Instant.parse("2026-10-25T01:30:00Z"));

            Granted expected = granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-repeated");
            assertThat(site.decide(card, FRONT, firstHalfPastTwo)).isEqualTo(expected);
            assertThat(site.decide(card, FRONT, secondHalfPastTwo)).isEqualTo(expected);
            // So the window is open for two real hours: 00:00Z (02:00 CEST) up to 02:00Z (03:00 CET).
            assertThat(grantedMinutes(FALL_BACK))
                    .hasSize(120)
                    .startsWith(Instant.parse("2026-10-25T00:00:00Z"))
                    .endsWith(Instant.parse("2026-10-25T01:59:00Z"));
        }

        @ParameterizedTest(name = "Monday {0}: 08:00 local is {1}")
        @CsvSource({
            "2026-03-30, 2026-03-30T06:00:00Z", // after spring forward: CEST, UTC+2
            "2026-10-26, 2026-10-26T07:00:00Z" // after fall back: CET, UTC+1
        })
        void weekdayWindowOnTheMondayAfterAChangeOpensAtLocalEight(LocalDate monday, Instant expectedOpening) {
            // An engine that cached the offset of the change day (or used a fixed one) would open an
            // hour early or late for the whole following season.
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), FRONT);
            Instant eight = ZonedDateTime.of(monday, LocalTime.of(8, 0), ZONE).toInstant();
            assertThat(eight).isEqualTo(expectedOpening);

            assertThat(site.decide(card, FRONT, eight))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-weekdays"));
            assertThat(site.decide(card, FRONT, eight.minusSeconds(1))).isEqualTo(denied(DenyReason.OUTSIDE_SCHEDULE));
        }

        /** Every whole minute of {@code day} in Berlin (23, 24 or 25 real hours) at which Ada's card opens the front door. */
        private List<Instant> grantedMinutes(LocalDate day) {
            Instant from = day.atStartOfDay(ZONE).toInstant();
            Instant until = day.plusDays(1).atStartOfDay(ZONE).toInstant();
            List<Instant> granted = new ArrayList<>();
            for (Instant at = from; at.isBefore(until); at = at.plus(Duration.ofMinutes(1))) {
                if (site.decide(card, FRONT, at).granted()) {
                    granted.add(at);
                }
            }
            return granted;
        }
    }

    @Nested
    class MemberQrCodes {
        private MemberId ada;
        private MemberId bob;

        @BeforeEach
        void enrolAdaAndBob() {
            ada = site.activeMember("ada");
            site.grant("ada-front", ada, Optional.empty(), FRONT);
            bob = site.activeMember("bob");
            site.grant("bob-front", bob, Optional.empty(), FRONT);
            site.qrCredential("bob-phone", bob);
        }

        @Test
        void codeNamingTheMemberAndTheirQrCredentialIsGranted() {
            Presented.MemberCode code = site.qrCredential("ada-phone", ada);

            assertThat(site.decide(code, FRONT, WEDNESDAY_NOON))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-front"));
        }

        @Test
        void verifiedMemberTokenDecidesThroughItsClaims() {
            // The reader turns verified claims into the presentation; the engine must accept what
            // QrClaims produces for a member token.
            site.qrCredential("ada-phone", ada);
            QrClaims claims = new QrClaims(
                    "acme-coworking",
                    Set.of(SITE_ID),
                    QrKind.MEMBER,
                    "ada-phone",
                    false,
                    WEDNESDAY_NOON.minusSeconds(30),
                    WEDNESDAY_NOON.plusSeconds(30),
                    "token-1");

            assertThat(site.decide(claims.presented(), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-front"));
        }

        @Test
        void codeResolvesToTheMemberWhoOwnsItsCredential() {
            // A token names only a credential; whose it is comes from the signed cache, so a token
            // for Bob's credential opens as Bob (and is logged as Bob), never as anyone else.
            Presented.MemberCode bobsCode = new Presented.MemberCode(CredentialId.of("bob-phone"));

            assertThat(site.evaluate(AccessRequest.online(bobsCode, FRONT, WEDNESDAY_NOON))
                            .member())
                    .contains(bob);
        }

        @Test
        void codeNamingTheMembersNfcCardIsAMismatch() {
            // A QR token must name a QR credential: naming a card would let a phone stand in for a
            // card that was handed back but not yet revoked.
            site.card("ada-card", ada);

            assertThat(site.decide(new Presented.MemberCode(CredentialId.of("ada-card")), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.CREDENTIAL_MISMATCH));
        }

        @Test
        void codeNamingAnUnknownCredentialIsAnUnknownCredential() {
            // Tokens for a credential deleted at the hub keep their signature until they expire.
            assertThat(site.decide(new Presented.MemberCode(CredentialId.of("ada-old-phone")), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.UNKNOWN_CREDENTIAL));
        }

        @Test
        void codeOfASuspendedMemberIsDeniedLikeTheirCard() {
            // The phone must not be a way around a suspension that stops the member's cards.
            MemberId carl = site.member("carl", MemberStatus.SUSPENDED);
            site.grant("carl-front", carl, Optional.empty(), FRONT);

            assertThat(site.decide(site.qrCredential("carl-phone", carl), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.MEMBER_SUSPENDED));
        }
    }

    @Nested
    class Bookings {
        private MemberId ada;
        private Presented.Card card;

        @BeforeEach
        void enrolAda() {
            ada = site.activeMember("ada");
            card = site.card("ada-card", ada);
        }

        @ParameterizedTest(name = "{0} Berlin time: {1}")
        @CsvSource({
            "2026-06-17T09:44:59, OUTSIDE_BOOKING", // one second before the 15 min buffer
            "2026-06-17T09:45:00, BOOKING", // start - bufferBefore, inclusive
            "2026-06-17T10:00:00, BOOKING", // the booking's start
            "2026-06-17T11:00:00, BOOKING", // the booking's end, inside the buffer after
            "2026-06-17T11:09:59, BOOKING", // the last second of the 10 min buffer
            "2026-06-17T11:10:00, OUTSIDE_BOOKING" // end + bufferAfter, exclusive
        })
        void bookingAdmitsFromStartMinusBufferUntilEndPlusBuffer(LocalDateTime local, String expected) {
            // Members arrive early to set up and leave late after packing up; the buffers are what
            // the booking page promised them, to the second.
            site.booking(
                    "booking-42",
                    ada,
                    ROOM_A,
                    berlin("2026-06-17T10:00"),
                    berlin("2026-06-17T11:00"),
                    Duration.ofMinutes(15),
                    Duration.ofMinutes(10));

            assertThat(site.decide(card, ROOM_A, local.atZone(ZONE).toInstant()))
                    .isEqualTo(outcome(expected, ROOM_A, "booking-42"));
        }

        @Test
        void bookingForAnotherRoomGivesNoAccessToThisOne() {
            // Booking room B must not open room A next door, even during the booking.
            site.booking(
                    "booking-43",
                    ada,
                    ROOM_B,
                    berlin("2026-06-17T10:00"),
                    berlin("2026-06-17T11:00"),
                    Duration.ZERO,
                    Duration.ZERO);

            assertThat(site.decide(card, ROOM_A, berlin("2026-06-17T10:30")))
                    .isEqualTo(denied(DenyReason.NO_ACCESS_TO_DOOR));
            assertThat(site.decide(card, ROOM_B, berlin("2026-06-17T10:30")))
                    .isEqualTo(granted(ROOM_B, GrantBasis.BOOKING, "booking-43"));
        }

        @Test
        void bookingOpensTheRoomWhenThePlansScheduleDoesNot() {
            // A weekday member who books a room for Saturday must get in on Saturday.
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), ROOM_A);
            site.booking(
                    "booking-44",
                    ada,
                    ROOM_A,
                    berlin("2026-06-20T10:00"),
                    berlin("2026-06-20T12:00"),
                    Duration.ZERO,
                    Duration.ZERO);

            assertThat(site.decide(card, ROOM_A, berlin("2026-06-20T11:00")))
                    .isEqualTo(granted(ROOM_A, GrantBasis.BOOKING, "booking-44"));
        }
    }

    @Nested
    class InviteesCheckInAndRelease {
        /** 10:00–11:00 in room A, 15 min buffers, check-in from 09:50, released at 10:15 without one. */
        private static final Instant START = berlin("2026-06-17T10:00");

        private MemberId ada;
        private MemberId bea;
        private Presented.Card adaCard;
        private Presented.Card beaCard;

        @BeforeEach
        void enrol() {
            ada = site.activeMember("ada");
            bea = site.activeMember("bea");
            adaCard = site.card("ada-card", ada);
            beaCard = site.card("bea-card", bea);
        }

        private Booking meeting(Set<MemberId> invitees, Optional<Instant> checkedInAtHub) {
            Booking booking = new Booking(
                    BookingId.of("booking-50"),
                    ada,
                    Set.of(ROOM_A),
                    START,
                    START.plus(Duration.ofHours(1)),
                    Duration.ofMinutes(15),
                    Duration.ofMinutes(15),
                    Optional.of("res-room-a"),
                    invitees,
                    Optional.of(new Booking.CheckIn(Duration.ofMinutes(10), Duration.ofMinutes(15), checkedInAtHub)),
                    Optional.empty());
            site.put(booking);
            return booking;
        }

        private Evaluation tap(Presented.Card card, DoorId door, Instant at) {
            return site.evaluate(AccessRequest.online(card, door, at));
        }

        @Test
        void anInviteePassesTheBookingsDoorsLikeTheBooker() {
            // A meeting has guests: each of them must get into the room without the booker holding the door.
            meeting(Set.of(bea), Optional.empty());

            assertThat(site.decide(beaCard, ROOM_A, START))
                    .isEqualTo(granted(ROOM_A, GrantBasis.BOOKING, "booking-50"));
            assertThat(site.decide(beaCard, ROOM_B, START)).isEqualTo(denied(DenyReason.NO_ACCESS_TO_DOOR));
        }

        @Test
        void aMemberNeitherBookerNorInviteeGetsNothingFromTheBooking() {
            meeting(Set.of(), Optional.empty());

            assertThat(site.decide(beaCard, ROOM_A, START)).isEqualTo(denied(DenyReason.NO_ACCESS_TO_DOOR));
        }

        @ParameterizedTest(name = "{0} Berlin time: {1}")
        @CsvSource({
            "2026-06-17T09:45:00, BOOKING, false", // inside the buffer, before the check-in window opens
            "2026-06-17T09:50:00, BOOKING, true", // start - opensBefore, inclusive
            "2026-06-17T10:14:59, BOOKING, true", // the last second before the release
            "2026-06-17T10:15:00, BOOKING_RELEASED, false", // start + releaseAfter: nobody came
            "2026-06-17T11:14:59, BOOKING_RELEASED, false", // the rest of the slot, buffer included
            "2026-06-17T11:15:00, OUTSIDE_BOOKING, false" // after the booking and its buffer
        })
        void aBookingNeedingACheckInIsCheckedInByATapInItsWindowAndReleasedWithoutOne(
                LocalDateTime local, String expected, boolean checksIn) {
            // The no-show rule is decided at the door, offline: from the release time the room is not
            // theirs, and a tap in the window is what keeps it.
            meeting(Set.of(), Optional.empty());
            Instant at = local.atZone(ZONE).toInstant();

            Evaluation evaluation = tap(adaCard, ROOM_A, at);

            assertThat(evaluation.decision()).isEqualTo(outcome(expected, ROOM_A, "booking-50"));
            assertThat(evaluation.checksIn())
                    .isEqualTo(checksIn ? Optional.of(BookingId.of("booking-50")) : Optional.empty());
        }

        @Test
        void anInviteesTapChecksTheBookingIn() {
            meeting(Set.of(bea), Optional.empty());

            assertThat(tap(beaCard, ROOM_A, START).checksIn()).contains(BookingId.of("booking-50"));
        }

        @Test
        void aCheckInRecordedHereOrKnownToTheHubKeepsTheBookingAfterTheReleaseTime() {
            Instant afterRelease = berlin("2026-06-17T10:30");
            meeting(Set.of(), Optional.empty());
            site.entitlements.markCheckedIn(BookingId.of("booking-50"), START);

            Evaluation here = tap(adaCard, ROOM_A, afterRelease);

            assertThat(here.decision()).isEqualTo(granted(ROOM_A, GrantBasis.BOOKING, "booking-50"));
            assertThat(here.checksIn()).as("checked in once").isEmpty();

            SiteFixture other = SiteFixture.berlin();
            other.activeMember("ada");
            Presented.Card card = other.card("ada-card", ada);
            other.put(meeting(Set.of(), Optional.of(START)));
            Evaluation atHub = other.evaluate(AccessRequest.online(card, ROOM_A, afterRelease));
            assertThat(atHub.decision()).isEqualTo(granted(ROOM_A, GrantBasis.BOOKING, "booking-50"));
            assertThat(atHub.checksIn()).isEmpty();
        }

        @Test
        void aMemberWhosePlanOpensTheRoomChecksInWithTheSameTap() {
            // The plan grants first; the tap must still count for the booking, or a member with a
            // plan covering the room would lose every booking they attend.
            site.grant("ada-room", ada, Optional.empty(), ROOM_A);
            meeting(Set.of(), Optional.empty());

            Evaluation evaluation = tap(adaCard, ROOM_A, START);

            assertThat(evaluation.decision()).isEqualTo(granted(ROOM_A, GrantBasis.MEMBER_GRANT, "ada-room"));
            assertThat(evaluation.checksIn()).contains(BookingId.of("booking-50"));
            assertThat(site.decide(adaCard, ROOM_A, berlin("2026-06-17T10:30")))
                    .as("a release takes the booking, not the plan")
                    .isEqualTo(granted(ROOM_A, GrantBasis.MEMBER_GRANT, "ada-room"));
        }

        @Test
        void noCheckInOnAnUntrustedClockInLockdownOrAtAnotherDoor() {
            // Each of these taps is granted, so only the rule keeps it from checking in.
            site.grant("ada-everywhere", ada, Optional.empty(), ROOM_A, ROOM_B);
            site.member("ada", MemberStatus.ACTIVE, "security");
            meeting(Set.of(), Optional.empty());

            Evaluation untrusted = site.evaluate(
                    request(adaCard, ROOM_A, START, ClockStatus.UNTRUSTED, Duration.ZERO, DoorMode.NORMAL));
            Evaluation otherDoor = tap(adaCard, ROOM_B, START);
            Evaluation lockdown =
                    site.evaluate(request(adaCard, ROOM_A, START, ClockStatus.TRUSTED, Duration.ZERO, LOCKDOWN));

            assertThat(List.of(untrusted, otherDoor, lockdown))
                    .allSatisfy(e -> assertThat(e.decision().granted()).isTrue())
                    .allSatisfy(e -> assertThat(e.checksIn()).isEmpty());
            assertThat(tap(adaCard, ROOM_A, START).checksIn())
                    .as("the same tap, normally")
                    .isPresent();
        }

        @Test
        void aDeniedTapChecksNothingIn() {
            meeting(Set.of(), Optional.empty());
            Presented.Card lost = site.card("ada-lost", ada, CredentialStatus.LOST, Optional.empty(), Optional.empty());

            Evaluation evaluation = tap(lost, ROOM_A, START);

            assertThat(evaluation.decision()).isEqualTo(denied(DenyReason.CREDENTIAL_LOST));
            assertThat(evaluation.checksIn()).isEmpty();
        }

        @Test
        void aReleasedBookingIsTheReasonGivenEvenWhenThePlanCoversTheDoorAtOtherTimes() {
            // The member stands at the room they booked: "not in your plan now" would mislead them.
            site.grant(
                    "ada-weekdays-early",
                    ada,
                    Optional.of(site.schedule(
                            "early", HolidayRule.IGNORED, TimeWindow.of(DayOfWeek.WEDNESDAY, "06:00", "07:00"))),
                    ROOM_A);
            meeting(Set.of(), Optional.empty());

            assertThat(site.decide(adaCard, ROOM_A, berlin("2026-06-17T10:30")))
                    .isEqualTo(denied(DenyReason.BOOKING_RELEASED));
            assertThat(site.decide(adaCard, ROOM_A, berlin("2026-06-17T12:00")))
                    .as("after the booking, the plan's reason again")
                    .isEqualTo(denied(DenyReason.OUTSIDE_SCHEDULE));
        }

        @Test
        void aBookingWithoutCheckInIsNeverReleased() {
            site.booking(
                    "booking-51", ada, ROOM_A, START, START.plus(Duration.ofHours(1)), Duration.ZERO, Duration.ZERO);

            Evaluation evaluation = tap(adaCard, ROOM_A, berlin("2026-06-17T10:59"));

            assertThat(evaluation.decision()).isEqualTo(granted(ROOM_A, GrantBasis.BOOKING, "booking-51"));
            assertThat(evaluation.checksIn()).isEmpty();
        }
    }

    @Nested
    class VisitorPasses {
        private static final Instant FROM = berlin("2026-06-17T09:00");
        private static final Instant UNTIL = berlin("2026-06-17T17:00");

        private PassId dayPass;

        @BeforeEach
        void issueDayPass() {
            dayPass = site.pass("guest-day", FROM, UNTIL, false, PassStatus.ACTIVE, Set.of(FRONT), Set.of(FLOOR_2));
        }

        private Presented.VisitorCode code(PassId pass) {
            return new Presented.VisitorCode(pass, false);
        }

        @ParameterizedTest(name = "pass single-use {0}, token single-use {1}: consumes {2}")
        @CsvSource({"false, false, false", "true, false, true", "false, true, true", "true, true, true"})
        void aGrantOfASingleUsePassOrTokenTellsTheEdgeToConsumeIt(
                boolean passSingleUse, boolean tokenSingleUse, boolean consumes) {
            // Two doors deciding at once could both see the pass unused; the edge must record the
            // use atomically before unlocking, and it can only do so if the decision says so.
            PassId pass =
                    site.pass("guest-once", FROM, UNTIL, passSingleUse, PassStatus.ACTIVE, Set.of(FRONT), Set.of());

            Evaluation evaluation = site.evaluate(
                    AccessRequest.online(new Presented.VisitorCode(pass, tokenSingleUse), FRONT, FROM.plusSeconds(60)));

            assertThat(evaluation.decision().granted()).isTrue();
            assertThat(evaluation.consumesPass()).isEqualTo(consumes);
        }

        @Test
        void aDeniedPassConsumesNothing() {
            PassId pass = site.pass("guest-late", FROM, UNTIL, true, PassStatus.ACTIVE, Set.of(FRONT), Set.of());

            Evaluation evaluation =
                    site.evaluate(AccessRequest.online(new Presented.VisitorCode(pass, true), FRONT, UNTIL));

            assertThat(evaluation.decision()).isEqualTo(denied(DenyReason.VISITOR_PASS_EXPIRED));
            assertThat(evaluation.consumesPass()).isFalse();
        }

        @ParameterizedTest(name = "{0} Berlin time: {1}")
        @CsvSource({
            "2026-06-17T08:59:59, VISITOR_PASS_NOT_YET_VALID",
            "2026-06-17T09:00:00, VISITOR_PASS",
            "2026-06-17T16:59:59, VISITOR_PASS",
            "2026-06-17T17:00:00, VISITOR_PASS_EXPIRED"
        })
        void passOpensWithinItsWindowOnly(LocalDateTime local, String expected) {
            // The host invited the visitor for 09:00-17:00; the pass must not work the evening before.
            assertThat(site.decide(code(dayPass), FRONT, local.atZone(ZONE).toInstant()))
                    .isEqualTo(outcome(expected, FRONT, "guest-day"));
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({
            "front, VISITOR_PASS",
            "floor2-east, VISITOR_PASS",
            "floor2-west, VISITOR_PASS",
            "server-room, VISITOR_PASS_NOT_FOR_DOOR"
        })
        void passOpensItsDoorsAndDoorGroupsOnly(DoorId door, String expected) {
            assertThat(site.decide(code(dayPass), door, WEDNESDAY_NOON))
                    .isEqualTo(outcome(expected, door, "guest-day"));
        }

        @Test
        void revokedPassIsDenied() {
            // The host cancelled the visit; the token on the visitor's phone is still signed.
            PassId cancelled =
                    site.pass("guest-cancelled", FROM, UNTIL, false, PassStatus.REVOKED, Set.of(FRONT), Set.of());

            assertThat(site.decide(code(cancelled), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.VISITOR_PASS_REVOKED));
        }

        @Test
        void singleUsePassOpensOnceOnly() {
            // A courier pass opens the door once; a screenshot shared afterwards must not.
            PassId courier = site.pass("courier", FROM, UNTIL, true, PassStatus.ACTIVE, Set.of(FRONT), Set.of());
            assertThat(site.decide(code(courier), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(granted(FRONT, GrantBasis.VISITOR_PASS, "courier"));

            site.entitlements.markPassUsed(courier);

            assertThat(site.decide(code(courier), FRONT, WEDNESDAY_NOON.plusSeconds(60)))
                    .isEqualTo(denied(DenyReason.VISITOR_PASS_USED));
        }

        @Test
        void aPassTheHubReportsUsedIsRefusedAtEveryDoorThoughThisEdgeNeverSawItUsed() {
            // Spent at another edge of the site: this edge has no use on record, only the hub's word.
            PassId spent = site.pass("guest-spent", FROM, UNTIL, true, PassStatus.USED, Set.of(FRONT), Set.of(FLOOR_2));

            assertThat(site.decide(code(spent), FRONT, WEDNESDAY_NOON)).isEqualTo(denied(DenyReason.VISITOR_PASS_USED));
            assertThat(site.decide(new Presented.VisitorCode(spent, true), DoorId.of("floor2-east"), WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.VISITOR_PASS_USED));
            assertThat(site.evaluate(AccessRequest.online(code(spent), FRONT, WEDNESDAY_NOON))
                            .consumesPass())
                    .isFalse();
        }

        @Test
        void aUsedPassInLockdownOrEmergencyReleaseIsDecidedByTheDoorModeFirst() {
            // Emergency release opens for everyone; the used status must not keep a visitor inside.
            PassId spent = site.pass("guest-spent-2", FROM, UNTIL, true, PassStatus.USED, Set.of(FRONT), Set.of());

            assertThat(site.evaluate(new AccessRequest(
                                    code(spent),
                                    FRONT,
                                    WEDNESDAY_NOON,
                                    ClockStatus.TRUSTED,
                                    java.time.Duration.ZERO,
                                    new DoorMode.EmergencyRelease()))
                            .decision()
                            .granted())
                    .isTrue();
        }

        @Test
        void multiUsePassKeepsOpeningAfterUse() {
            // A day visitor goes in and out for lunch; even if the edge recorded a use, a pass that
            // is not single-use must keep working.
            Granted expected = granted(FRONT, GrantBasis.VISITOR_PASS, "guest-day");
            assertThat(site.decide(code(dayPass), FRONT, WEDNESDAY_NOON)).isEqualTo(expected);

            site.entitlements.markPassUsed(dayPass);

            assertThat(site.decide(code(dayPass), FRONT, WEDNESDAY_NOON.plusSeconds(3600)))
                    .isEqualTo(expected);
        }

        @Test
        void singleUseTokenForAMultiUsePassIsEnforcedAsSingleUse() {
            // The hub can issue a one-off token for a multi-use pass (a delivery slot on a day
            // pass); the token's own flag must be honoured, while the pass's other tokens work on.
            Presented singleUseToken = new QrClaims(
                            "acme-coworking",
                            Set.of(SITE_ID),
                            QrKind.VISITOR,
                            "guest-day",
                            true,
                            FROM,
                            UNTIL,
                            "token-once")
                    .presented();
            assertThat(singleUseToken).isEqualTo(new Presented.VisitorCode(dayPass, true));
            assertThat(site.decide(singleUseToken, FRONT, WEDNESDAY_NOON))
                    .isEqualTo(granted(FRONT, GrantBasis.VISITOR_PASS, "guest-day"));

            site.entitlements.markPassUsed(dayPass);

            assertThat(site.decide(singleUseToken, FRONT, WEDNESDAY_NOON.plusSeconds(60)))
                    .isEqualTo(denied(DenyReason.VISITOR_PASS_USED));
            assertThat(site.decide(code(dayPass), FRONT, WEDNESDAY_NOON.plusSeconds(60)))
                    .isEqualTo(granted(FRONT, GrantBasis.VISITOR_PASS, "guest-day"));
        }

        @Test
        void passUnknownAtTheSiteIsAnUnknownCredential() {
            // A pass for another site, or deleted at the hub: the token alone opens nothing.
            assertThat(site.decide(code(PassId.of("guest-elsewhere")), FRONT, WEDNESDAY_NOON))
                    .isEqualTo(denied(DenyReason.UNKNOWN_CREDENTIAL));
        }
    }

    @Nested
    class Lockdown {
        private AccessRequest inLockdown(Presented presented, Instant at) {
            return request(presented, FRONT, at, ClockStatus.TRUSTED, Duration.ZERO, LOCKDOWN);
        }

        @Test
        void ordinaryMemberWithAValidGrantIsDenied() {
            // During an incident only responders may enter, whatever the members' plans say.
            MemberId ada = site.activeMember("ada");
            Presented.Card card = site.card("ada-card", ada);
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), FRONT);
            assertThat(site.decide(card, FRONT, WEDNESDAY_NOON))
                    .isEqualTo(granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-weekdays"));

            assertThat(site.decide(inLockdown(card, WEDNESDAY_NOON))).isEqualTo(denied(DenyReason.LOCKDOWN));
        }

        @Test
        void responderIsGrantedEvenOutsideTheirSchedule() {
            // Incidents happen at night: a security responder must get in at 03:00 on a Saturday.
            MemberId rita = site.activeMember("rita", "security");
            Presented.Card card = site.card("rita-card", rita);
            site.grant("rita-weekdays", rita, Optional.of(WEEKDAYS), FRONT);
            assertThat(site.decide(card, FRONT, SATURDAY_NIGHT)).isEqualTo(denied(DenyReason.OUTSIDE_SCHEDULE));

            assertThat(site.decide(inLockdown(card, SATURDAY_NIGHT)))
                    .isEqualTo(grantedWithoutSource(FRONT, GrantBasis.LOCKDOWN_RESPONDER));
        }

        @Test
        void suspendedResponderIsStillDeniedAsSuspended() {
            // The role alone is not enough: a suspended guard must not be let in by the lockdown.
            MemberId rita = site.member("rita", MemberStatus.SUSPENDED, "security");
            Presented.Card card = site.card("rita-card", rita);
            site.grant("rita-front", rita, Optional.empty(), FRONT);

            assertThat(site.decide(inLockdown(card, WEDNESDAY_NOON))).isEqualTo(denied(DenyReason.MEMBER_SUSPENDED));
        }

        @Test
        void responderWithAnExpiredCardIsDenied() {
            // A responder still needs a valid credential: an expired contractor card stays out.
            MemberId rita = site.activeMember("rita", "security");
            Presented.Card card = site.card(
                    "rita-card",
                    rita,
                    CredentialStatus.ACTIVE,
                    Optional.of(berlin("2026-01-01T00:00")),
                    Optional.of(berlin("2026-06-01T00:00")));

            assertThat(site.decide(inLockdown(card, WEDNESDAY_NOON))).isEqualTo(denied(DenyReason.CREDENTIAL_EXPIRED));
        }

        @Test
        void visitorWithAValidPassIsDenied() {
            PassId pass = site.pass(
                    "guest-day",
                    berlin("2026-06-17T09:00"),
                    berlin("2026-06-17T17:00"),
                    false,
                    PassStatus.ACTIVE,
                    Set.of(FRONT),
                    Set.of());
            Presented.VisitorCode code = new Presented.VisitorCode(pass, false);
            assertThat(site.decide(code, FRONT, WEDNESDAY_NOON))
                    .isEqualTo(granted(FRONT, GrantBasis.VISITOR_PASS, "guest-day"));

            assertThat(site.decide(inLockdown(code, WEDNESDAY_NOON))).isEqualTo(denied(DenyReason.LOCKDOWN));
        }
    }

    @Nested
    class EmergencyRelease {

        static Stream<Arguments> presentations() {
            return Stream.of(
                    presentation("an active member without any grant", fixture -> {
                        MemberId ada = fixture.activeMember("ada");
                        return fixture.card("ada-card", ada);
                    }),
                    presentation("a cancelled member", fixture -> {
                        MemberId carl = fixture.member("carl", MemberStatus.CANCELLED);
                        return fixture.card("carl-card", carl);
                    }),
                    presentation("a revoked card", fixture -> {
                        MemberId ada = fixture.activeMember("ada");
                        fixture.grant("ada-front", ada, Optional.empty(), FRONT);
                        return fixture.card(
                                "ada-card", ada, CredentialStatus.REVOKED, Optional.empty(), Optional.empty());
                    }),
                    presentation("an unknown card", SiteFixture::unknownCard),
                    presentation(
                            "a member code for an unknown credential",
                            fixture -> new Presented.MemberCode(CredentialId.of("nope"))),
                    presentation("a visitor pass for other doors", fixture -> {
                        PassId pass = fixture.pass(
                                "guest-floor-2",
                                WEDNESDAY_NOON.minusSeconds(3600),
                                WEDNESDAY_NOON.plusSeconds(3600),
                                false,
                                PassStatus.ACTIVE,
                                Set.of(),
                                Set.of(FLOOR_2));
                        return new Presented.VisitorCode(pass, false);
                    }),
                    presentation(
                            "an unknown visitor pass",
                            fixture -> new Presented.VisitorCode(PassId.of("guest-unknown"), true)));
        }

        private static Arguments presentation(String description, Function<SiteFixture, Presented> setUp) {
            return Arguments.of(Named.of(description, setUp));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("presentations")
        void everyPresentationIsGrantedWhileTheDoorIsReleased(Function<SiteFixture, Presented> setUp) {
            // During an evacuation the door is held open; a reader must never report "denied" to
            // someone walking through, and the log must say why the door let them pass.
            Presented presented = setUp.apply(site);
            AccessRequest released = request(
                    presented, FRONT, SATURDAY_NIGHT, ClockStatus.TRUSTED, Duration.ZERO, DoorMode.EMERGENCY_RELEASE);

            assertThat(site.decide(released)).isEqualTo(grantedWithoutSource(FRONT, GrantBasis.EMERGENCY_RELEASE));
            assertThat(site.decide(presented, FRONT, SATURDAY_NIGHT).granted()).isFalse();
        }
    }

    /**
     * A Pi without a real-time clock may boot with a wrong time; each door says what it does then.
     * Ada is a member, Sam is staff with a grant for every door, Stan is staff with a grant for the
     * front door only. All grants follow the weekday schedule.
     */
    @Nested
    class UntrustedClock {

        @BeforeEach
        void configureDoorsAndPeople() {
            DoorId keep = site.degradedDoor(
                    "clock-keep", DegradedMode.KEEP_GRANTING, DegradedMode.KEEP_GRANTING, Duration.ofHours(24));
            DoorId deny = site.degradedDoor(
                    "clock-deny", DegradedMode.DENY, DegradedMode.KEEP_GRANTING, Duration.ofHours(24));
            DoorId staffOnly = site.degradedDoor(
                    "clock-staff", DegradedMode.STAFF_ONLY, DegradedMode.KEEP_GRANTING, Duration.ofHours(24));
            MemberId ada = site.activeMember("ada");
            site.card("ada-card", ada);
            site.grant("ada-grant", ada, Optional.of(WEEKDAYS), keep, deny, staffOnly);
            MemberId sam = site.activeMember("sam", "staff");
            site.card("sam-card", sam);
            site.grant("sam-grant", sam, Optional.of(WEEKDAYS), keep, deny, staffOnly);
            MemberId stan = site.activeMember("stan", "staff");
            site.card("stan-card", stan);
            site.grant("stan-grant", stan, Optional.of(WEEKDAYS), FRONT);
        }

        @ParameterizedTest(name = "{0} at {1}, {2} Berlin time, clock {3}: {4}")
        @CsvSource({
            // KEEP_GRANTING decides as if the clock were right.
            "ada,  clock-keep,  2026-06-17T12:00, UNTRUSTED, MEMBER_GRANT",
            "ada,  clock-keep,  2026-06-20T03:00, UNTRUSTED, OUTSIDE_SCHEDULE",
            // DENY admits nobody by credential, staff included.
            "ada,  clock-deny,  2026-06-17T12:00, UNTRUSTED, CLOCK_UNTRUSTED",
            "sam,  clock-deny,  2026-06-17T12:00, UNTRUSTED, CLOCK_UNTRUSTED",
            "ada,  clock-deny,  2026-06-17T12:00, TRUSTED,   MEMBER_GRANT",
            // STAFF_ONLY: staff with a grant for the door pass whatever the time; others do not.
            "ada,  clock-staff, 2026-06-17T12:00, UNTRUSTED, CLOCK_UNTRUSTED_STAFF_ONLY",
            "sam,  clock-staff, 2026-06-20T03:00, UNTRUSTED, STAFF_UNTRUSTED_CLOCK",
            "sam,  clock-staff, 2026-06-20T03:00, TRUSTED,   OUTSIDE_SCHEDULE",
            "stan, clock-staff, 2026-06-17T12:00, UNTRUSTED, NO_ACCESS_TO_DOOR",
        })
        void doorsUntrustedClockPolicyDecides(
                String member, DoorId door, LocalDateTime local, ClockStatus clock, String expected) {
            // A door that admits by schedule cannot judge the schedule with a wrong clock; the
            // door's policy decides whether that fails open, closed, or open for staff only.
            AccessRequest request = request(
                    cardOf(member), door, local.atZone(ZONE).toInstant(), clock, Duration.ZERO, DoorMode.NORMAL);

            assertThat(site.decide(request)).isEqualTo(outcome(expected, door, member + "-grant"));
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({"clock-keep, VISITOR_PASS", "clock-deny, CLOCK_UNTRUSTED", "clock-staff, CLOCK_UNTRUSTED_STAFF_ONLY"
        })
        void visitorsFollowTheSamePolicyAndAreNeverStaff(DoorId door, String expected) {
            PassId pass = site.pass(
                    "guest-day",
                    berlin("2026-06-17T09:00"),
                    berlin("2026-06-17T17:00"),
                    false,
                    PassStatus.ACTIVE,
                    Set.of(door),
                    Set.of());
            AccessRequest request = request(
                    new Presented.VisitorCode(pass, false),
                    door,
                    WEDNESDAY_NOON,
                    ClockStatus.UNTRUSTED,
                    Duration.ZERO,
                    DoorMode.NORMAL);

            assertThat(site.decide(request)).isEqualTo(outcome(expected, door, "guest-day"));
        }
    }

    /**
     * Each door admits by its usual rules until the site has been offline for {@code offlineAfter}
     * (24 h here), then by its offline policy, because revocations made at the hub meanwhile have not
     * reached it. Ada is a member, Sam is staff; both have weekday grants for every door.
     */
    @Nested
    class LongOfflinePeriod {

        @BeforeEach
        void configureDoorsAndPeople() {
            DoorId keep = site.degradedDoor(
                    "offline-keep", DegradedMode.KEEP_GRANTING, DegradedMode.KEEP_GRANTING, Duration.ofHours(24));
            DoorId deny = site.degradedDoor(
                    "offline-deny", DegradedMode.KEEP_GRANTING, DegradedMode.DENY, Duration.ofHours(24));
            DoorId staffOnly = site.degradedDoor(
                    "offline-staff", DegradedMode.KEEP_GRANTING, DegradedMode.STAFF_ONLY, Duration.ofHours(24));
            DoorId denyAtOnce = site.degradedDoor(
                    "offline-deny-at-once", DegradedMode.KEEP_GRANTING, DegradedMode.DENY, Duration.ZERO);
            MemberId ada = site.activeMember("ada");
            site.card("ada-card", ada);
            site.grant("ada-grant", ada, Optional.of(WEEKDAYS), keep, deny, staffOnly, denyAtOnce);
            MemberId sam = site.activeMember("sam", "staff");
            site.card("sam-card", sam);
            site.grant("sam-grant", sam, Optional.of(WEEKDAYS), keep, deny, staffOnly, denyAtOnce);
        }

        @ParameterizedTest(name = "{0} at {1}, offline {2}, {3} Berlin time: {4}")
        @CsvSource({
            // Below the threshold every door decides normally.
            "ada, offline-deny,  PT23H59M59S, 2026-06-17T12:00, MEMBER_GRANT",
            "ada, offline-staff, PT23H59M59S, 2026-06-17T12:00, MEMBER_GRANT",
            // From exactly the threshold on, DENY admits nobody by credential.
            "ada, offline-deny,  PT24H,       2026-06-17T12:00, OFFLINE_TOO_LONG",
            "ada, offline-deny,  P3D,         2026-06-17T12:00, OFFLINE_TOO_LONG",
            "sam, offline-deny,  PT24H,       2026-06-17T12:00, OFFLINE_TOO_LONG",
            // STAFF_ONLY admits staff, who still need their schedule.
            "ada, offline-staff, PT24H,       2026-06-17T12:00, OFFLINE_STAFF_ONLY",
            "sam, offline-staff, PT24H,       2026-06-17T12:00, MEMBER_GRANT",
            "sam, offline-staff, P3D,         2026-06-20T03:00, OUTSIDE_SCHEDULE",
            // KEEP_GRANTING never changes anything.
            "ada, offline-keep,  P3D,         2026-06-17T12:00, MEMBER_GRANT",
            "ada, offline-keep,  P3D,         2026-06-20T03:00, OUTSIDE_SCHEDULE",
        })
        void doorsOfflinePolicyAppliesFromItsThresholdOn(
                String member, DoorId door, Duration offlineFor, LocalDateTime local, String expected) {
            AccessRequest request = request(
                    cardOf(member),
                    door,
                    local.atZone(ZONE).toInstant(),
                    ClockStatus.TRUSTED,
                    offlineFor,
                    DoorMode.NORMAL);

            assertThat(site.decide(request)).isEqualTo(outcome(expected, door, member + "-grant"));
        }

        @ParameterizedTest(name = "offline {0}: {1}")
        @CsvSource({"PT0S, MEMBER_GRANT", "PT1S, OFFLINE_TOO_LONG"})
        void onlineRequestNeverCountsAsOfflineEvenWithAZeroThreshold(Duration offlineFor, String expected) {
            // offlineFor is zero while the link is up: a door configured to deny as soon as the
            // link drops must still work normally while it is online.
            DoorId door = DoorId.of("offline-deny-at-once");
            AccessRequest request =
                    request(cardOf("ada"), door, WEDNESDAY_NOON, ClockStatus.TRUSTED, offlineFor, DoorMode.NORMAL);

            assertThat(site.decide(request)).isEqualTo(outcome(expected, door, "ada-grant"));
        }

        @ParameterizedTest(name = "{0}, offline {1}: {2}")
        @CsvSource({
            "offline-deny,  PT23H, VISITOR_PASS",
            "offline-deny,  PT24H, OFFLINE_TOO_LONG",
            "offline-staff, PT24H, OFFLINE_STAFF_ONLY",
            "offline-keep,  PT24H, VISITOR_PASS"
        })
        void visitorsFollowTheSamePolicyAndAreNeverStaff(DoorId door, Duration offlineFor, String expected) {
            // A pass revoked at the hub during the outage would still be ACTIVE in the cache.
            PassId pass = site.pass(
                    "guest-day",
                    berlin("2026-06-17T09:00"),
                    berlin("2026-06-17T17:00"),
                    false,
                    PassStatus.ACTIVE,
                    Set.of(door),
                    Set.of());
            AccessRequest request = request(
                    new Presented.VisitorCode(pass, false),
                    door,
                    WEDNESDAY_NOON,
                    ClockStatus.TRUSTED,
                    offlineFor,
                    DoorMode.NORMAL);

            assertThat(site.decide(request)).isEqualTo(outcome(expected, door, "guest-day"));
        }

        @ParameterizedTest(name = "clock {0}, offline {1}, {2}: {3}")
        @CsvSource({
            // An untrusted clock's staff pass must not override a door that denies everyone offline.
            "STAFF_ONLY,    DENY,       sam, OFFLINE_TOO_LONG",
            "DENY,          STAFF_ONLY, sam, CLOCK_UNTRUSTED",
            "STAFF_ONLY,    STAFF_ONLY, ada, CLOCK_UNTRUSTED_STAFF_ONLY",
            "KEEP_GRANTING, STAFF_ONLY, ada, OFFLINE_STAFF_ONLY",
            "STAFF_ONLY,    STAFF_ONLY, sam, STAFF_UNTRUSTED_CLOCK"
        })
        void whenTheClockIsUntrustedAndTheLinkLongDownTheStricterPolicyWins(
                DegradedMode untrustedClock, DegradedMode offline, String member, String expected) {
            DoorId door = site.degradedDoor("both-degraded", untrustedClock, offline, Duration.ofHours(24));
            site.grant(member + "-both", MemberId.of(member), Optional.of(WEEKDAYS), door);
            AccessRequest request = request(
                    cardOf(member), door, WEDNESDAY_NOON, ClockStatus.UNTRUSTED, Duration.ofHours(48), DoorMode.NORMAL);

            assertThat(site.decide(request)).isEqualTo(outcome(expected, door, member + "-both"));
        }
    }

    /** The access log records whom a decision was about, granted or not. */
    @Nested
    class EvaluationForTheLog {
        private final MemberId ada = site.activeMember("ada");

        @Test
        void grantedCardReportsItsMemberAndCredential() {
            Presented.Card card = site.card("ada-card", ada);
            site.grant("ada-front", ada, Optional.empty(), FRONT);

            assertThat(site.evaluate(AccessRequest.online(card, FRONT, WEDNESDAY_NOON)))
                    .isEqualTo(new Evaluation(
                            granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-front"),
                            Optional.of(ada),
                            Optional.of(CredentialId.of("ada-card")),
                            Optional.empty()));
        }

        @Test
        void deniedCardStillReportsItsMemberAndCredential() {
            // "Who tried the server room at night?" is asked about denials.
            Presented.Card card = site.card("ada-card", ada);

            assertThat(site.evaluate(AccessRequest.online(card, SERVER_ROOM, SATURDAY_NIGHT)))
                    .isEqualTo(new Evaluation(
                            denied(DenyReason.NO_ACCESS_TO_DOOR),
                            Optional.of(ada),
                            Optional.of(CredentialId.of("ada-card")),
                            Optional.empty()));
        }

        @Test
        void cardOfAMemberMissingFromTheCacheReportsTheMemberItNames() {
            Presented.Card card = site.card("ghost-card", MemberId.of("ghost"));

            assertThat(site.evaluate(AccessRequest.online(card, FRONT, WEDNESDAY_NOON)))
                    .isEqualTo(new Evaluation(
                            denied(DenyReason.UNKNOWN_MEMBER),
                            Optional.of(MemberId.of("ghost")),
                            Optional.of(CredentialId.of("ghost-card")),
                            Optional.empty()));
        }

        @Test
        void unknownCardReportsNobody() {
            assertThat(site.evaluate(AccessRequest.online(site.unknownCard(), FRONT, WEDNESDAY_NOON)))
                    .isEqualTo(new Evaluation(
                            denied(DenyReason.UNKNOWN_CREDENTIAL),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()));
        }

        @Test
        void unknownDoorReportsNobodyEvenForAKnownCard() {
            Presented.Card card = site.card("ada-card", ada);

            assertThat(site.evaluate(AccessRequest.online(card, DoorId.of("back-yard"), WEDNESDAY_NOON)))
                    .isEqualTo(new Evaluation(
                            denied(DenyReason.UNKNOWN_DOOR), Optional.empty(), Optional.empty(), Optional.empty()));
        }

        @Test
        void mismatchedMemberCodeReportsTheCardsOwnerAndCredential() {
            site.card("ada-card", ada);

            assertThat(site.evaluate(AccessRequest.online(
                            new Presented.MemberCode(CredentialId.of("ada-card")), FRONT, WEDNESDAY_NOON)))
                    .isEqualTo(new Evaluation(
                            denied(DenyReason.CREDENTIAL_MISMATCH),
                            Optional.of(ada),
                            Optional.of(CredentialId.of("ada-card")),
                            Optional.empty()));
        }

        @Test
        void memberCodeReportsItsMemberAndCredential() {
            Presented.MemberCode code = site.qrCredential("ada-phone", ada);
            site.grant("ada-front", ada, Optional.empty(), FRONT);

            assertThat(site.evaluate(AccessRequest.online(code, FRONT, WEDNESDAY_NOON)))
                    .isEqualTo(new Evaluation(
                            granted(FRONT, GrantBasis.MEMBER_GRANT, "ada-front"),
                            Optional.of(ada),
                            Optional.of(CredentialId.of("ada-phone")),
                            Optional.empty()));
        }

        @ParameterizedTest(name = "pass {0}: {1}")
        @CsvSource({"guest-day, VISITOR_PASS", "guest-unknown, UNKNOWN_CREDENTIAL"})
        void visitorCodeReportsThePassItNames(PassId pass, String expected) {
            site.pass(
                    "guest-day",
                    berlin("2026-06-17T09:00"),
                    berlin("2026-06-17T17:00"),
                    false,
                    PassStatus.ACTIVE,
                    Set.of(FRONT),
                    Set.of());

            assertThat(site.evaluate(
                            AccessRequest.online(new Presented.VisitorCode(pass, false), FRONT, WEDNESDAY_NOON)))
                    .isEqualTo(new Evaluation(
                            outcome(expected, FRONT, "guest-day"),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.of(pass)));
        }

        @Test
        void decideReturnsTheEvaluatedDecision() {
            Presented.Card card = site.card("ada-card", ada);
            site.grant("ada-weekdays", ada, Optional.of(WEEKDAYS), FRONT);
            AccessRequest request = AccessRequest.online(card, FRONT, SATURDAY_NIGHT);

            assertThat(PolicyEngine.decide(site.entitlements, request))
                    .isEqualTo(PolicyEngine.evaluate(site.entitlements, request).decision())
                    .isEqualTo(denied(DenyReason.OUTSIDE_SCHEDULE));
        }
    }

    @Nested
    class OperatorSentences {

        @ParameterizedTest
        @EnumSource(DenyReason.class)
        void everyDenyReasonHasASentence(DenyReason reason) {
            // The access log and the desk show the sentence, never the enum name.
            assertThat(reason.sentence()).isNotBlank().endsWith(".");
        }

        @ParameterizedTest
        @EnumSource(GrantBasis.class)
        void everyGrantBasisHasASentence(GrantBasis basis) {
            assertThat(basis.sentence()).isNotBlank().endsWith(".");
        }
    }
}
