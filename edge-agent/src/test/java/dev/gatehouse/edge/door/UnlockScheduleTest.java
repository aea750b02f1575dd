package dev.gatehouse.edge.door;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.model.TimeWindow;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Window boundaries in the site's zone. The door controller sleeps from one boundary to the next,
 * so a boundary computed an hour off on a DST day opens or locks the door an hour off.
 */
class UnlockScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void scheduleWithoutWindowsHasNoBoundary() {
        UnlockSchedule none = new UnlockSchedule(List.of(), BERLIN);

        assertThat(none.nextBoundaryAfter(Instant.parse("2026-03-02T09:00:00Z")))
                .isEmpty();
        assertThat(none.isOpen(Instant.parse("2026-03-02T09:00:00Z"))).isFalse();
    }

    @Test
    void nextBoundaryIsTheWindowsLocalStartNotAFixedStep() {
        UnlockSchedule weekdays =
                new UnlockSchedule(List.of(TimeWindow.of(DayOfWeek.MONDAY, "08:00", "18:00")), BERLIN);

        assertThat(weekdays.nextBoundaryAfter(berlin("2026-03-01T23:00"))).contains(berlin("2026-03-02T08:00"));
        assertThat(weekdays.nextBoundaryAfter(berlin("2026-03-02T08:00"))).contains(berlin("2026-03-02T18:00"));
    }

    @Test
    void weeklyWindowIsFoundAWeekAhead() {
        // From just after Monday's window, the next boundary is next Monday's start, seven days on.
        UnlockSchedule monday = new UnlockSchedule(List.of(TimeWindow.of(DayOfWeek.MONDAY, "08:00", "18:00")), BERLIN);

        assertThat(monday.nextBoundaryAfter(berlin("2026-03-02T18:00"))).contains(berlin("2026-03-09T08:00"));
    }

    @Test
    void windowSpanningTheFallBackChangeReopensWhenTheClockGoesBack() {
        // Sunday 01:00-02:30 on 25 October 2026: 02:30 CEST ends it, then at 03:00 CEST the clock
        // reads 02:00 CET and the window is open again until 02:30 CET. Only the zone's transition
        // itself marks that reopening.
        UnlockSchedule night = new UnlockSchedule(List.of(TimeWindow.of(DayOfWeek.SUNDAY, "01:00", "02:30")), BERLIN);

        assertThat(flips(night, Instant.parse("2026-10-24T12:00:00Z"), Instant.parse("2026-10-25T12:00:00Z")))
                .containsExactly(
                        "2026-10-24T23:00:00Z open",
                        "2026-10-25T00:30:00Z closed",
                        "2026-10-25T01:00:00Z open",
                        "2026-10-25T01:30:00Z closed");
    }

    @Test
    void windowStartingInTheSpringForwardGapOpensAtTheEndOfTheGap() {
        UnlockSchedule night = new UnlockSchedule(List.of(TimeWindow.of(DayOfWeek.SUNDAY, "02:30", "04:00")), BERLIN);

        assertThat(flips(night, Instant.parse("2026-03-28T12:00:00Z"), Instant.parse("2026-03-29T12:00:00Z")))
                .containsExactly("2026-03-29T01:00:00Z open", "2026-03-29T02:00:00Z closed");
    }

    /** Walks boundary to boundary and lists where {@code isOpen} changes. */
    private static List<String> flips(UnlockSchedule schedule, Instant from, Instant to) {
        List<String> flips = new ArrayList<>();
        boolean open = schedule.isOpen(from);
        Instant at = from;
        for (int steps = 0; steps < 100; steps++) {
            Optional<Instant> next = schedule.nextBoundaryAfter(at);
            if (next.isEmpty() || next.get().isAfter(to)) {
                break;
            }
            at = next.get();
            if (schedule.isOpen(at) != open) {
                open = !open;
                flips.add(at + (open ? " open" : " closed"));
            }
        }
        return flips;
    }

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }
}
