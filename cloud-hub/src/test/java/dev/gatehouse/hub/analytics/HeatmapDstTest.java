package dev.gatehouse.hub.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The hour-of-week heatmap in Europe/Berlin across both DST changes of 2026 (29 March: 02:00 → 03:00;
 * 25 October: 03:00 → 02:00). The grid counts real hours: the skipped spring hour adds no hour to the
 * Sunday 02 cell, the repeated autumn hour adds two, and the cells' sums are the period's totals.
 */
class HeatmapDstTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final int SUNDAY = 6;

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    /** 02:00 on 25 October 2026 the first time (summer time) and the second (winter time). */
    private static final Instant FIRST_TWO = Instant.parse("2026-10-25T00:00:00Z");

    private static final Instant SECOND_TWO = Instant.parse("2026-10-25T01:00:00Z");

    private static Rows.Booking booking(String id, Instant start, Instant end) {
        return new Rows.Booking(
                id,
                "room",
                "ada",
                "CONFIRMED",
                start,
                end,
                start.minus(Duration.ofDays(1)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false);
    }

    private static int totalHours(Heatmap.Grid grid) {
        int hours = 0;
        for (int d = 0; d < 7; d++) {
            for (int h = 0; h < 24; h++) {
                hours += grid.cell(d, h).hours();
            }
        }
        return hours;
    }

    @Nested
    class SpringForward {
        private final LocalDate monday = LocalDate.of(2026, 3, 23);
        private final LocalDate sunday = LocalDate.of(2026, 3, 29);

        @Test
        void theSkippedHourHasNoSlotAndTheWeekHas167Hours() {
            List<Instant> hours = Occupancy.hours(BERLIN, monday, sunday);
            Heatmap.Grid grid = Heatmap.of(BERLIN, hours, List.of(), List.of(), Instant.parse("2027-01-01T00:00:00Z"));

            // 7 days × 24 hours less the hour the clocks skip.
            assertThat(hours).hasSize(7 * 24 - 1);
            assertThat(totalHours(grid)).isEqualTo(hours.size());
            assertThat(grid.cell(SUNDAY, 2).hours()).isZero();
            assertThat(grid.cell(SUNDAY, 1).hours()).isEqualTo(1);
            assertThat(grid.cell(SUNDAY, 3).hours()).isEqualTo(1);
            assertThat(grid.cell(5, 2).hours()).isEqualTo(1);
        }

        @Test
        void aBookingOverTheChangeCountsItsRealHoursInTheLocalHoursTheyShow() {
            // 01:00 to 04:00 on the wall clock is two real hours: 01:00-02:00 (winter), 03:00-04:00 (summer).
            Rows.Booking night = booking("b1", berlin("2026-03-29T01:00"), berlin("2026-03-29T04:00"));
            assertThat(Duration.between(night.start(), night.end())).isEqualTo(Duration.ofHours(2));

            Heatmap.Grid grid = Heatmap.of(
                    BERLIN,
                    Occupancy.hours(BERLIN, monday, sunday),
                    List.of(),
                    List.of(night),
                    Instant.parse("2027-01-01T00:00:00Z"));

            assertThat(grid.cell(SUNDAY, 1).bookedMs())
                    .isEqualTo(Duration.ofHours(1).toMillis());
            assertThat(grid.cell(SUNDAY, 2).bookedMs()).isZero();
            assertThat(grid.cell(SUNDAY, 3).bookedMs())
                    .isEqualTo(Duration.ofHours(1).toMillis());
            assertThat(grid.cell(SUNDAY, 1).bookings()).isEqualTo(1);
        }
    }

    @Nested
    class FallBack {
        private final LocalDate monday = LocalDate.of(2026, 10, 19);
        private final LocalDate sunday = LocalDate.of(2026, 10, 25);

        @Test
        void theRepeatedHourCountsTwiceInItsSlotAndTheWeekHas169Hours() {
            List<Instant> hours = Occupancy.hours(BERLIN, monday, sunday);
            Heatmap.Grid grid = Heatmap.of(BERLIN, hours, List.of(), List.of(), Instant.parse("2027-01-01T00:00:00Z"));

            assertThat(hours).hasSize(7 * 24 + 1);
            assertThat(hours).contains(FIRST_TWO, SECOND_TWO);
            assertThat(totalHours(grid)).isEqualTo(hours.size());
            assertThat(grid.cell(SUNDAY, 2).hours()).isEqualTo(2);
            assertThat(grid.cell(SUNDAY, 1).hours()).isEqualTo(1);
            assertThat(grid.cell(SUNDAY, 3).hours()).isEqualTo(1);
        }

        @Test
        void presenceInBothRepeatedHoursAddsUpInOneCellAndAveragesOverItsTwoHours() {
            // Ada comes in at 02:30 the first time round and stays 1 h (into the second 02:00 hour);
            // Bo comes in at 02:10 the second time round.
            List<Rows.Entry> entries = List.of(
                    new Rows.Entry("e1", "ada", "door", FIRST_TWO.plusSeconds(30 * 60), FIRST_TWO.plusSeconds(1800)),
                    new Rows.Entry("e2", "bo", "door", SECOND_TWO.plusSeconds(10 * 60), SECOND_TWO.plusSeconds(600)));
            List<Instant> hours = Occupancy.hours(BERLIN, monday, sunday);
            Instant asOf = Instant.parse("2027-01-01T00:00:00Z");
            List<Set<String>> present = Occupancy.present(entries, hours, Duration.ofHours(1), asOf);

            assertThat(present.get(hours.indexOf(FIRST_TWO))).containsExactly("ada");
            assertThat(present.get(hours.indexOf(SECOND_TWO))).containsExactlyInAnyOrder("ada", "bo");
            Heatmap.Cell two =
                    Heatmap.of(BERLIN, hours, present, List.of(), asOf).cell(SUNDAY, 2);
            assertThat(two.people()).isEqualTo(3);
            assertThat(two.averagePeople()).contains(1.5);
        }

        @Test
        void aBookingOverTheRepeatedHourCountsFourRealHoursTwoOfThemInTheTwoOClockCell() {
            Rows.Booking night = booking("b2", berlin("2026-10-25T01:00"), berlin("2026-10-25T04:00"));
            Heatmap.Grid grid = Heatmap.of(
                    BERLIN,
                    Occupancy.hours(BERLIN, monday, sunday),
                    List.of(),
                    List.of(night),
                    Instant.parse("2027-01-01T00:00:00Z"));

            long hour = Duration.ofHours(1).toMillis();
            assertThat(grid.cell(SUNDAY, 1).bookedMs()).isEqualTo(hour);
            assertThat(grid.cell(SUNDAY, 2).bookedMs()).isEqualTo(2 * hour);
            assertThat(grid.cell(SUNDAY, 3).bookedMs()).isEqualTo(hour);
            long total = 0;
            for (int d = 0; d < 7; d++) {
                for (int h = 0; h < 24; h++) {
                    total += grid.cell(d, h).bookedMs();
                }
            }
            assertThat(total)
                    .isEqualTo(Duration.between(night.start(), night.end()).toMillis());
        }
    }

    @Test
    void aBookingCancelledAfterTheAsOfInstantStillCountsAsOfThenButNotAsOfLater() {
        LocalDate day = LocalDate.of(2026, 6, 3);
        Instant start = berlin("2026-06-03T10:00");
        Rows.Booking cancelledLater = new Rows.Booking(
                "b3",
                "room",
                "ada",
                "CANCELLED",
                start,
                start.plus(Duration.ofHours(2)),
                start.minus(Duration.ofDays(2)),
                Optional.of(start.minus(Duration.ofDays(1))),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false);
        List<Instant> hours = Occupancy.hours(BERLIN, day, day);
        List<Heatmap.Cell> wednesdayTen = new ArrayList<>();
        for (Instant asOf : List.of(start.minus(Duration.ofDays(3)), start.minus(Duration.ofHours(36)), start)) {
            wednesdayTen.add(Heatmap.of(BERLIN, hours, List.of(), List.of(cancelledLater), asOf)
                    .cell(2, 10));
        }
        // Not made yet; made and not cancelled; cancelled.
        assertThat(wednesdayTen).extracting(Heatmap.Cell::bookedMs).containsExactly(0L, 3_600_000L, 0L);
    }
}
