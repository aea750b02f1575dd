package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.bookings.Violation.Rule;
import dev.gatehouse.protocol.model.TimeWindow;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The rule engine lists every rule a request breaks, so a member fixes a request once instead of
 * discovering the rules one refusal at a time; and it reads times in the site's zone, across DST.
 */
class BookingEngineTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    // Monday 2 March 2026, 08:00 in Berlin
    private static final Instant NOW = at("2026-03-02T08:00");

    private static Instant at(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    private static BookingEngine.Request request(String start, String end) {
        return new BookingEngine.Request(at(start), at(end), NOW, BERLIN, Set.of(), 0, 0, true, true, true);
    }

    private static List<Rule> rules(BookingRules rules, BookingEngine.Request request) {
        return BookingEngine.check(rules, request).stream().map(Violation::rule).toList();
    }

    private static BookingRules with(int granularity, int min, int max, int notice, int advanceDays) {
        return new BookingRules(granularity, min, max, notice, advanceDays, 0, 0, 0, 0, 0, List.of(), false);
    }

    @Test
    void aRequestWithinEveryRuleBreaksNone() {
        assertThat(BookingEngine.check(BookingRules.DEFAULTS, request("2026-03-02T10:00", "2026-03-02T11:30")))
                .isEmpty();
    }

    @Test
    void everyBrokenRuleIsListedNotJustTheFirst() {
        BookingRules rules = new BookingRules(
                30,
                60,
                120,
                24 * 60,
                7,
                0,
                0,
                0,
                0,
                0,
                List.of(new TimeWindow(DayOfWeek.MONDAY, 9 * 60, 17 * 60)),
                false);
        // 10 minutes, off the half-hour grid, within the day's notice, outside opening hours.
        List<Violation> broken = BookingEngine.check(rules, request("2026-03-02T18:10", "2026-03-02T18:20"));
        assertThat(broken)
                .extracting(Violation::rule)
                .containsExactly(Rule.GRANULARITY, Rule.TOO_SHORT, Rule.MIN_NOTICE, Rule.OPENING_HOURS);
        assertThat(broken.get(0).message()).contains("30 minutes").contains("Europe/Berlin");
        assertThat(broken.get(3).message()).contains("Mon 09:00–17:00");
    }

    @Nested
    class Lengths {
        @Test
        void tooLongAndTooFarAhead() {
            assertThat(rules(with(15, 15, 60, 0, 7), request("2026-03-12T09:00", "2026-03-12T11:00")))
                    .containsExactly(Rule.TOO_LONG, Rule.MAX_ADVANCE);
        }

        @Test
        void thePastIsNotAlsoShortNotice() {
            assertThat(rules(with(15, 15, 60, 60, 7), request("2026-03-02T07:00", "2026-03-02T07:30")))
                    .containsExactly(Rule.IN_THE_PAST);
        }

        @Test
        void granularityIsLocalTimeNotUtc() {
            // Kathmandu is UTC+05:45: 09:00 local is 03:15 UTC, on the local hour grid but not UTC's.
            ZoneId kathmandu = ZoneId.of("Asia/Kathmandu");
            Instant start =
                    LocalDateTime.parse("2026-03-03T09:00").atZone(kathmandu).toInstant();
            BookingEngine.Request request = new BookingEngine.Request(
                    start, start.plusSeconds(3600), NOW, kathmandu, Set.of(), 0, 0, true, true, true);
            assertThat(BookingEngine.check(with(60, 60, 120, 0, 30), request)).isEmpty();
        }
    }

    @Nested
    class OpeningHoursAndHolidays {
        private final BookingRules weekdays = new BookingRules(
                15,
                15,
                24 * 60,
                0,
                90,
                0,
                0,
                0,
                0,
                0,
                List.of(
                        new TimeWindow(DayOfWeek.SATURDAY, 8 * 60, 24 * 60),
                        new TimeWindow(DayOfWeek.SUNDAY, 0, 20 * 60)),
                true);

        @Test
        void aBookingAcrossMidnightFitsTwoAdjacentWindows() {
            assertThat(rules(weekdays, request("2026-03-07T22:00", "2026-03-08T02:00")))
                    .isEmpty();
        }

        @Test
        void theNightOfTheSpringDstChangeIsCountedInLocalTime() {
            // 29 March 2026: Berlin's clocks go from 02:00 to 03:00. 01:00–04:00 local is two real hours,
            // all within Sunday's window.
            BookingEngine.Request request = request("2026-03-29T01:00", "2026-03-29T04:00");
            assertThat(rules(weekdays, request)).isEmpty();
            assertThat(java.time.Duration.between(request.start(), request.end())
                            .toHours())
                    .isEqualTo(2);
        }

        @Test
        void aMinuteOutsideTheWindowsBreaksTheRule() {
            assertThat(rules(weekdays, request("2026-03-08T19:00", "2026-03-08T20:15")))
                    .containsExactly(Rule.OPENING_HOURS);
        }

        @Test
        void aHolidayIsClosedWhenTheResourceSaysSo() {
            BookingEngine.Request request = new BookingEngine.Request(
                    at("2026-03-07T10:00"),
                    at("2026-03-07T11:00"),
                    NOW,
                    BERLIN,
                    Set.of(LocalDate.parse("2026-03-07")),
                    0,
                    0,
                    true,
                    true,
                    true);
            List<Violation> broken = BookingEngine.check(weekdays, request);
            assertThat(broken).extracting(Violation::rule).containsExactly(Rule.HOLIDAY);
            assertThat(broken.getFirst().message()).contains("2026-03-07");
        }
    }

    @Nested
    class MemberLimitsAndStanding {
        private final BookingRules limited = new BookingRules(15, 15, 8 * 60, 0, 90, 0, 0, 2, 5, 0, List.of(), false);

        @Test
        void hoursPerDayAndWeekCountTheMembersOtherBookings() {
            BookingEngine.Request request = new BookingEngine.Request(
                    at("2026-03-03T10:00"), at("2026-03-03T11:00"), NOW, BERLIN, Set.of(), 90, 250, true, true, true);
            List<Violation> broken = BookingEngine.check(limited, request);
            assertThat(broken).extracting(Violation::rule).containsExactly(Rule.DAILY_LIMIT, Rule.WEEKLY_LIMIT);
            assertThat(broken.get(0).message()).contains("2 h 30 min").contains("limit is 2 h");
        }

        @Test
        void exactlyAtTheLimitIsAllowed() {
            BookingEngine.Request request = new BookingEngine.Request(
                    at("2026-03-03T10:00"), at("2026-03-03T11:00"), NOW, BERLIN, Set.of(), 60, 240, true, true, true);
            assertThat(BookingEngine.check(limited, request)).isEmpty();
        }

        @Test
        void planMemberAndResourceStandingAreRules() {
            BookingEngine.Request request = new BookingEngine.Request(
                    at("2026-03-03T10:00"), at("2026-03-03T11:00"), NOW, BERLIN, Set.of(), 0, 0, false, false, false);
            assertThat(rules(limited, request)).containsExactly(Rule.OUT_OF_SERVICE, Rule.MEMBER_STATUS, Rule.PLAN);
        }
    }

    @Test
    void inconsistentRulesAreNamed() {
        BookingRules rules = new BookingRules(7, 120, 60, 0, 90, 0, 0, 10, 5, 0, List.of(), false);
        assertThat(rules.inconsistencies())
                .anySatisfy(p -> assertThat(p).contains("granularityMinutes"))
                .anySatisfy(p -> assertThat(p).contains("minMinutes (120) is more than maxMinutes (60)"))
                .anySatisfy(p -> assertThat(p).contains("maxHoursPerDay (10) is more than maxHoursPerWeek (5)"));
        assertThat(BookingRules.DEFAULTS.inconsistencies()).isEmpty();
    }
}
