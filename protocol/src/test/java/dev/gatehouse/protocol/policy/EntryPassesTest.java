package dev.gatehouse.protocol.policy;

import static dev.gatehouse.protocol.policy.SiteFixture.EAST;
import static dev.gatehouse.protocol.policy.SiteFixture.FRONT;
import static dev.gatehouse.protocol.policy.SiteFixture.WEEKDAYS;
import static dev.gatehouse.protocol.policy.SiteFixture.ZONE;
import static dev.gatehouse.protocol.policy.SiteFixture.berlin;
import static dev.gatehouse.protocol.policy.SiteFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.Roles;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.policy.Decision.Denied;
import dev.gatehouse.protocol.policy.Decision.Granted;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Entry-limited grants (a 10-pass): the first granted entry of a site-local day spends that day, the
 * edge decides it offline from the hub's count and its own, and a used-up pass denies with
 * {@code PASS_USED_UP} unless another grant opens the door.
 */
class EntryPassesTest {
    private static final GrantId PASS = GrantId.of("gr_m-1_ten-pass");

    private final SiteFixture site = SiteFixture.berlin();
    private final MemberId member = site.activeMember("m-1");
    private final Presented.Card card = site.card("c-1", member);

    private void pass(int limit, Optional<ScheduleId> schedule, String... hubSpent) {
        List<LocalDate> spent =
                java.util.Arrays.stream(hubSpent).map(LocalDate::parse).toList();
        site.put(passGrant(PASS, member, Set.of(FRONT, EAST), schedule, Optional.empty(), limit, spent));
    }

    private static Grant passGrant(
            GrantId id,
            MemberId holder,
            Set<DoorId> doors,
            Optional<ScheduleId> schedule,
            Optional<Instant> validFrom,
            int limit,
            List<LocalDate> spent) {
        return new Grant(
                id,
                holder,
                Set.of(),
                doors,
                schedule,
                validFrom,
                Optional.empty(),
                Optional.of(new Grant.Entries(limit, spent)));
    }

    /** Decides online at a normal door, and records the day it spends as the edge would. */
    private Evaluation tap(DoorId door, Instant at) {
        Evaluation evaluation = site.evaluate(AccessRequest.online(card, door, at));
        evaluation.spendsDay().ifPresent(day -> site.entitlements.markPassDay(day.grant(), day.day()));
        return evaluation;
    }

    private Granted granted(DoorId door) {
        return new Granted(site.unlockFor(door), GrantBasis.MEMBER_GRANT, Optional.of(PASS.value()));
    }

    private static Evaluation.PassDay day(String date) {
        return new Evaluation.PassDay(PASS, LocalDate.parse(date));
    }

    @Nested
    class SpendingDays {
        @Test
        void theFirstEntryOfADaySpendsItAndLaterEntriesThatDayAreFree() {
            // A pass holder walks in, out for lunch and back: one day of the ten, not three.
            pass(10, Optional.empty());

            Evaluation first = tap(FRONT, berlin("2026-12-01T09:00"));
            Evaluation second = tap(EAST, berlin("2026-12-01T09:05"));
            Evaluation third = tap(FRONT, berlin("2026-12-01T13:30"));

            assertThat(first.decision()).isEqualTo(granted(FRONT));
            assertThat(first.spendsDay()).contains(day("2026-12-01"));
            assertThat(second.decision()).isEqualTo(granted(EAST));
            assertThat(second.spendsDay()).isEmpty();
            assertThat(third.spendsDay()).isEmpty();
            assertThat(site.entitlements.passDaysSpent(PASS)).containsExactly(LocalDate.parse("2026-12-01"));
        }

        @Test
        void daysThisSiteSpentOnAnEarlierPassOfThePlanDoNotCountAgainstANewOne() {
            // A day pass used on 1 December; another of the same plan (the same grant id) for the 10th.
            site.entitlements.markPassDay(PASS, LocalDate.parse("2026-12-01"));
            site.put(passGrant(
                    PASS,
                    member,
                    Set.of(FRONT, EAST),
                    Optional.empty(),
                    Optional.of(berlin("2026-12-10T00:00")),
                    1,
                    List.of()));

            Evaluation entry = tap(FRONT, berlin("2026-12-10T09:00"));

            assertThat(entry.decision()).isEqualTo(granted(FRONT));
            assertThat(entry.spendsDay()).contains(day("2026-12-10"));
        }

        @Test
        void theNextDaySpendsAnotherDay() {
            pass(10, Optional.empty());
            tap(FRONT, berlin("2026-12-01T09:00"));

            Evaluation nextDay = tap(FRONT, berlin("2026-12-02T09:00"));

            assertThat(nextDay.decision()).isEqualTo(granted(FRONT));
            assertThat(nextDay.spendsDay()).contains(day("2026-12-02"));
        }

        @Test
        void aDayTheHubCountedIsFreeAtThisEdge() {
            // Another edge of the site spent today; this one learned it from the hub's grant.
            pass(10, Optional.empty(), "2026-12-01");

            Evaluation tap = tap(FRONT, berlin("2026-12-01T16:00"));

            assertThat(tap.decision()).isEqualTo(granted(FRONT));
            assertThat(tap.spendsDay()).isEmpty();
        }

        @Test
        void atTheLimitANewDayIsDeniedPassUsedUpButASpentDayStillOpens() {
            // Two days counted by the hub, one here: a 3-pass is used up for any other day.
            pass(3, Optional.empty(), "2026-12-01", "2026-12-02");
            tap(FRONT, berlin("2026-12-03T09:00"));

            Evaluation newDay = tap(FRONT, berlin("2026-12-04T09:00"));
            Evaluation spentDay = tap(FRONT, berlin("2026-12-03T18:00"));

            assertThat(newDay.decision()).isEqualTo(new Denied(DenyReason.PASS_USED_UP));
            assertThat(newDay.spendsDay()).isEmpty();
            assertThat(spentDay.decision()).isEqualTo(granted(FRONT));
            assertThat(site.entitlements.passDaysSpent(PASS)).containsExactly(LocalDate.parse("2026-12-03"));
        }

        @Test
        void anotherValidGrantStillOpensTheDoorWhenThePassIsUsedUp() {
            // A used-up pass must not hide the member's monthly plan: its grant id sorts after the pass's.
            pass(1, Optional.empty(), "2026-11-30");
            GrantId monthly = site.grant("gr_m-1_zz-monthly", member, Optional.empty(), FRONT);

            Evaluation tap = tap(FRONT, berlin("2026-12-01T09:00"));

            assertThat(tap.decision())
                    .isEqualTo(
                            new Granted(site.unlockFor(FRONT), GrantBasis.MEMBER_GRANT, Optional.of(monthly.value())));
            assertThat(tap.spendsDay()).isEmpty();
        }

        @Test
        void anUnlimitedGrantOpensTheDoorWithoutSpendingADayThoughThePassSortsFirst() {
            // A member with a front-door plan and a 10-pass: walking in on the plan must not cost a day.
            pass(10, Optional.empty());
            GrantId monthly = site.grant("gr_m-1_zz-monthly", member, Optional.empty(), FRONT);

            Evaluation tap = tap(FRONT, berlin("2026-12-01T09:00"));

            assertThat(tap.decision())
                    .isEqualTo(
                            new Granted(site.unlockFor(FRONT), GrantBasis.MEMBER_GRANT, Optional.of(monthly.value())));
            assertThat(tap.spendsDay()).isEmpty();
            assertThat(tap(EAST, berlin("2026-12-01T09:05")).spendsDay())
                    .as("the pass alone opens the east door, and that spends the day")
                    .contains(day("2026-12-01"));
        }

        @Test
        void aBookingOpensItsDoorWithoutSpendingADay() {
            pass(10, Optional.empty());
            Instant start = berlin("2026-12-01T10:00");
            BookingId booking = site.booking(
                    "bk-1", member, FRONT, start, start.plus(Duration.ofHours(1)), Duration.ZERO, Duration.ZERO);

            Evaluation tap = tap(FRONT, start.plus(Duration.ofMinutes(5)));

            assertThat(tap.decision())
                    .isEqualTo(new Granted(site.unlockFor(FRONT), GrantBasis.BOOKING, Optional.of(booking.value())));
            assertThat(tap.spendsDay()).isEmpty();
        }

        @Test
        void aScheduleStillAppliesAndATapOutsideItSpendsNothing() {
            // A weekday pass tapped on a Saturday: the schedule denies, and no day is lost for it.
            pass(10, Optional.of(WEEKDAYS));

            Evaluation saturday = tap(FRONT, berlin("2026-12-05T10:00"));

            assertThat(saturday.decision()).isEqualTo(new Denied(DenyReason.OUTSIDE_SCHEDULE));
            assertThat(saturday.spendsDay()).isEmpty();
            assertThat(site.entitlements.passDaysSpent(PASS)).isEmpty();
        }

        @Test
        void aDeniedTapSpendsNothing() {
            // Before the pass starts, nothing is spent.
            site.put(passGrant(
                    PASS,
                    member,
                    Set.of(FRONT),
                    Optional.empty(),
                    Optional.of(berlin("2026-12-10T00:00")),
                    10,
                    List.of()));

            Evaluation early = tap(FRONT, berlin("2026-12-01T09:00"));

            assertThat(early.decision()).isEqualTo(new Denied(DenyReason.GRANT_NOT_YET_VALID));
            assertThat(early.spendsDay()).isEmpty();
        }
    }

    @Nested
    class LocalDays {
        @Test
        void halfPastElevenAndHalfPastMidnightLocalAreTwoDaysThoughTheSameUtcDay() {
            // 23:30 and 00:30 in Berlin in winter are 22:30 and 23:30 UTC of the same UTC date: the
            // pass counts the site's days, not UTC's.
            pass(10, Optional.empty());

            Evaluation late = tap(FRONT, berlin("2026-12-01T23:30"));
            Evaluation afterMidnight = tap(FRONT, berlin("2026-12-02T00:30"));

            assertThat(late.spendsDay()).contains(day("2026-12-01"));
            assertThat(afterMidnight.spendsDay()).contains(day("2026-12-02"));
        }

        @Test
        void theFallBackDayIsOneDayThoughItLasts25Hours() {
            // 25 October 2026: 00:30 local and 24 hours later (23:30 local, after the clocks went back)
            // are the same local day. Counting 24-hour periods would spend two.
            pass(10, Optional.empty());
            Instant early = berlin("2026-10-25T00:30");

            Evaluation first = tap(FRONT, early);
            Evaluation dayLater = tap(FRONT, early.plus(Duration.ofHours(24)));

            assertThat(early.plus(Duration.ofHours(24)).atZone(ZONE).toLocalDate())
                    .isEqualTo(LocalDate.parse("2026-10-25"));
            assertThat(first.spendsDay()).contains(day("2026-10-25"));
            assertThat(dayLater.decision()).isEqualTo(granted(FRONT));
            assertThat(dayLater.spendsDay()).isEmpty();
        }

        @Test
        void theSpringForwardDayEndsAfter23Hours() {
            // 29 March 2026 has 23 hours: 23.5 hours after 00:30 local it is already 30 March.
            pass(10, Optional.empty());
            Instant early = berlin("2026-03-29T00:30");

            tap(FRONT, early);
            Evaluation next = tap(FRONT, early.plus(Duration.ofMinutes(23 * 60 + 30)));

            assertThat(next.spendsDay()).contains(day("2026-03-30"));
        }

        @Test
        void withoutTheSiteTheDayIsUnknownAndThePassGrantsNothing() {
            // The zone comes with the first sync; until then no day can be counted.
            SiteFixture bare = SiteFixture.withoutSite();
            MemberId someone = bare.activeMember("m-2");
            Presented.Card theirCard = bare.card("c-2", someone);
            bare.put(passGrant(
                    GrantId.of("gr_m-2_pass"),
                    someone,
                    Set.of(FRONT),
                    Optional.empty(),
                    Optional.empty(),
                    10,
                    List.of()));

            Decision decision = bare.decide(theirCard, FRONT, berlin("2026-12-01T09:00"));

            assertThat(decision).isEqualTo(new Denied(DenyReason.SITE_NOT_CONFIGURED));
        }
    }

    @Nested
    class UntrustedClock {
        @Test
        void aDoorThatKeepsGrantingStillDeniesAPassOnAnUntrustedClock() {
            // The day cannot be judged, so the pass fails closed: no free days from a wrong clock.
            pass(10, Optional.empty());

            Evaluation tap = site.evaluate(request(
                    card, FRONT, berlin("2026-12-01T09:00"), ClockStatus.UNTRUSTED, Duration.ZERO, DoorMode.NORMAL));

            assertThat(tap.decision()).isEqualTo(new Denied(DenyReason.CLOCK_UNTRUSTED));
            assertThat(tap.spendsDay()).isEmpty();
        }

        @Test
        void staffWithAPassPassUnderStaffOnlyAndSpendNoDay() {
            // Rule 9 is unchanged: under the clock's staff-only, staff pass by any grant; no day is
            // counted since none can be judged.
            MemberId staff = site.activeMember("m-staff", Roles.STAFF);
            Presented.Card staffCard = site.card("c-staff", staff);
            DoorId door = site.degradedDoor(
                    "side", DegradedMode.STAFF_ONLY, DegradedMode.KEEP_GRANTING, Duration.ofHours(24));
            GrantId staffPass = GrantId.of("gr_m-staff_pass");
            site.put(passGrant(
                    staffPass,
                    staff,
                    Set.of(door),
                    Optional.empty(),
                    Optional.empty(),
                    1,
                    List.of(LocalDate.parse("2026-11-30"))));

            Evaluation tap = site.evaluate(request(
                    staffCard,
                    door,
                    berlin("2026-12-01T09:00"),
                    ClockStatus.UNTRUSTED,
                    Duration.ZERO,
                    DoorMode.NORMAL));

            assertThat(tap.decision())
                    .isEqualTo(new Granted(
                            Duration.ofSeconds(2), GrantBasis.STAFF_UNTRUSTED_CLOCK, Optional.of(staffPass.value())));
            assertThat(tap.spendsDay()).isEmpty();
        }
    }
}
