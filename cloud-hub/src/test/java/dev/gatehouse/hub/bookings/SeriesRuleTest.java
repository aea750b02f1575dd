package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 5545 expansion in the site's zone: local times survive daylight-saving changes, EXDATE must name
 * an occurrence exactly, and a series is bounded before anything is booked.
 */
class SeriesRuleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Duration HOUR = Duration.ofHours(1);

    private static SeriesRule weekly(String start, String rrule, List<String> rdates, List<String> exdates) {
        return new SeriesRule(
                LocalDateTime.parse(start),
                HOUR,
                rrule,
                rdates.stream().map(LocalDateTime::parse).toList(),
                exdates.stream().map(LocalDateTime::parse).toList());
    }

    private static List<SeriesRule.Occurrence> occurrences(SeriesRule rule) {
        SeriesRule.Expansion expansion = rule.expand(BERLIN);
        assertThat(expansion).as(expansion.toString()).isInstanceOf(SeriesRule.Expansion.Occurrences.class);
        return ((SeriesRule.Expansion.Occurrences) expansion).occurrences();
    }

    private static List<FieldError> errors(SeriesRule rule) {
        SeriesRule.Expansion expansion = rule.expand(BERLIN);
        assertThat(expansion).as(expansion.toString()).isInstanceOf(SeriesRule.Expansion.Invalid.class);
        return ((SeriesRule.Expansion.Invalid) expansion).errors();
    }

    @Nested
    class DaylightSaving {
        @Test
        void aWeeklyNineOClockStaysAtNineAcrossBothChanges() {
            // 2027: summer time starts on 28 March and ends on 31 October in Berlin. A member who books
            // Mondays at 09:00 means 09:00 on the wall clock, whatever the UTC offset.
            List<SeriesRule.Occurrence> all =
                    occurrences(weekly("2027-01-04T09:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=52", List.of(), List.of()));
            assertThat(all).hasSize(52);
            assertThat(all).allSatisfy(o -> {
                assertThat(o.start().atZone(BERLIN).toLocalTime()).isEqualTo(LocalTime.of(9, 0));
                assertThat(Duration.between(o.start(), o.end())).isEqualTo(HOUR);
            });
            assertThat(at(all, "2027-03-22T09:00").start()).isEqualTo(Instant.parse("2027-03-22T08:00:00Z"));
            assertThat(at(all, "2027-03-29T09:00").start()).isEqualTo(Instant.parse("2027-03-29T07:00:00Z"));
            assertThat(at(all, "2027-10-25T09:00").start()).isEqualTo(Instant.parse("2027-10-25T07:00:00Z"));
            assertThat(at(all, "2027-11-01T09:00").start()).isEqualTo(Instant.parse("2027-11-01T08:00:00Z"));
        }

        @Test
        void aStartInTheSpringGapMovesForwardByTheGapAsRfc5545Says() {
            // 02:30 does not exist on 28 March 2027: RFC 5545 reads it with the offset before the gap.
            List<SeriesRule.Occurrence> all =
                    occurrences(weekly("2027-03-21T02:30", "FREQ=WEEKLY;COUNT=3", List.of(), List.of()));
            assertThat(all)
                    .extracting(o -> o.start().atZone(BERLIN).toLocalTime())
                    .containsExactly(LocalTime.of(2, 30), LocalTime.of(3, 30), LocalTime.of(2, 30));
            assertThat(all.get(1).recurrenceId()).isEqualTo(LocalDateTime.parse("2027-03-28T02:30"));
            assertThat(all.get(1).start()).isEqualTo(Instant.parse("2027-03-28T01:30:00Z"));
        }
    }

    @Test
    void dtstartIsTheFirstOccurrenceEvenWhenTheRuleWouldSkipIt() {
        // RFC 5545 3.8.5.3: DTSTART always counts, and counts towards COUNT.
        List<SeriesRule.Occurrence> all =
                occurrences(weekly("2027-02-01T09:00", "FREQ=WEEKLY;BYDAY=TU;COUNT=3", List.of(), List.of()));
        assertThat(all)
                .extracting(SeriesRule.Occurrence::recurrenceId)
                .containsExactly(
                        LocalDateTime.parse("2027-02-01T09:00"),
                        LocalDateTime.parse("2027-02-02T09:00"),
                        LocalDateTime.parse("2027-02-09T09:00"));
    }

    @Test
    void rdatesAddAndExdatesRemoveExactOccurrences() {
        List<SeriesRule.Occurrence> all = occurrences(weekly(
                "2027-02-01T09:00",
                "RRULE:freq=weekly;count=4",
                List.of("2027-02-03T14:00", "2027-02-08T09:00"),
                List.of("2027-02-15T09:00", "2027-02-03T14:00")));
        assertThat(all)
                .extracting(o -> SeriesRule.format(o.recurrenceId()))
                .containsExactly("2027-02-01T09:00:00", "2027-02-08T09:00:00", "2027-02-22T09:00:00");
    }

    @Test
    void anExdateThatMatchesNoOccurrenceIsRefusedNotIgnored() {
        // The trap of lib-recur issue 56: an EXDATE an hour off excludes nothing, and the member is
        // booked on the day they asked to skip. Say so instead.
        List<FieldError> errors =
                errors(weekly("2027-02-01T09:00", "FREQ=WEEKLY;COUNT=4", List.of(), List.of("2027-02-08T10:00")));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("exdates[0]");
            assertThat(e.message()).contains("2027-02-08T10:00:00").contains("start at 09:00");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            FREQ=SOMETIMES                         | Unknown FREQ value SOMETIMES
            BYDAY=MO;COUNT=3                       | FREQ part is missing
            FREQ=WEEKLY;BYDAY=XX;COUNT=3           | invalid weeknum
            FREQ=WEEKLY;COUNT=3;UNTIL=20270301T000000Z | UNTIL and COUNT
            FREQ=WEEKLY                            | never ends
            FREQ=WEEKLY;UNTIL=20270301T090000      | UTC date-time
            FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2 | every BY part must match
            """)
    void aBadRuleIsRefusedSayingWhatIsWrong(String rrule, String said) {
        assertThat(errors(weekly("2027-02-01T09:00", rrule, List.of(), List.of())))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.field()).isEqualTo("rrule");
                    assertThat(e.message()).contains(said);
                });
    }

    @Nested
    class Limits {
        @Test
        void fiveHundredOccurrencesAreAllowedAndFiveHundredAndOneAreNot() {
            assertThat(occurrences(weekly("2027-02-01T09:00", "FREQ=HOURLY;COUNT=500", List.of(), List.of())))
                    .hasSize(500);
            assertThat(errors(weekly("2027-02-01T09:00", "FREQ=HOURLY;COUNT=501", List.of(), List.of())))
                    .singleElement()
                    .satisfies(e -> assertThat(e.message()).contains("more than 500 occurrences"));
        }

        @Test
        void anExcludedOccurrenceDoesNotCountTowardsTheLimit() {
            assertThat(occurrences(weekly(
                            "2027-02-01T09:00", "FREQ=HOURLY;COUNT=501", List.of(), List.of("2027-02-01T10:00"))))
                    .hasSize(500);
        }

        @Test
        void aSeriesEndsWithinTwentyFourMonths() {
            assertThat(occurrences(weekly("2027-02-01T09:00", "FREQ=MONTHLY;COUNT=25", List.of(), List.of())))
                    .hasSize(25);
            assertThat(errors(weekly("2027-02-01T09:00", "FREQ=MONTHLY;COUNT=26", List.of(), List.of())))
                    .singleElement()
                    .satisfies(e -> assertThat(e.message()).contains("runs past 2029-02-01T09:00:00"));
            assertThat(errors(
                            weekly("2027-02-01T09:00", "FREQ=MONTHLY;COUNT=2", List.of("2030-01-01T09:00"), List.of())))
                    .singleElement()
                    .satisfies(e -> assertThat(e.field()).isEqualTo("rdates[0]"));
        }
    }

    @Test
    void endingBeforeKeepsExactlyTheOccurrencesBefore() {
        SeriesRule rule = weekly(
                "2027-02-01T09:00",
                "FREQ=WEEKLY;COUNT=10",
                List.of("2027-02-03T09:00", "2027-03-03T09:00"),
                List.of("2027-02-08T09:00", "2027-03-08T09:00"));
        Instant from = LocalDateTime.parse("2027-03-01T09:00").atZone(BERLIN).toInstant();
        SeriesRule ended = rule.endingBefore(from, BERLIN);
        assertThat(ended.rrule()).isEqualTo("FREQ=WEEKLY;UNTIL=20270301T075959Z");
        assertThat(ended.rdates()).containsExactly(LocalDateTime.parse("2027-02-03T09:00"));
        assertThat(ended.exdates()).containsExactly(LocalDateTime.parse("2027-02-08T09:00"));
        assertThat(occurrences(ended))
                .extracting(o -> o.recurrenceId().toLocalDate().toString())
                .containsExactly("2027-02-01", "2027-02-03", "2027-02-15", "2027-02-22");
        assertThat(occurrences(rule)).allSatisfy(o -> {
            boolean kept = occurrences(ended).contains(o);
            assertThat(kept).as(o.toString()).isEqualTo(o.start().isBefore(from));
        });
    }

    private static SeriesRule.Occurrence at(List<SeriesRule.Occurrence> all, String local) {
        LocalDateTime id = LocalDateTime.parse(local);
        return all.stream()
                .filter(o -> o.recurrenceId().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no occurrence at " + local));
    }
}
