package dev.gatehouse.edge.door;

import dev.gatehouse.protocol.model.TimeWindow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Optional;

/**
 * Scheduled unlock windows (office hours) in a site's zone, with the same meaning as the policy
 * engine's schedules: an instant is inside when its local day and minute fall in a window. On the
 * spring-forward day a window inside the skipped hour never opens and one that starts inside it
 * opens when the new hour begins; on the fall-back day a window inside the repeated hour opens
 * twice.
 *
 * <p>Boundaries are computed from local date-times, never as fixed 24-hour steps, so a DST change
 * moves them with the wall clock.
 */
final class UnlockSchedule {
    /** Far enough ahead to cover a weekly schedule, its DST changes included. */
    private static final int DAYS_AHEAD = 8;

    private final List<TimeWindow> windows;
    private final ZoneId zone;
    private final ZoneRules rules;

    UnlockSchedule(List<TimeWindow> windows, ZoneId zone) {
        this.windows = List.copyOf(windows);
        this.zone = zone;
        this.rules = zone.getRules();
    }

    boolean isEmpty() {
        return windows.isEmpty();
    }

    /** Whether {@code instant} falls inside a window. */
    boolean isOpen(Instant instant) {
        ZonedDateTime local = instant.atZone(zone);
        int minute = local.getHour() * 60 + local.getMinute();
        return windows.stream().anyMatch(window -> window.contains(local.getDayOfWeek(), minute));
    }

    /**
     * The first instant after {@code now} at which {@link #isOpen} may change: a window's start or
     * end (each occurrence, for a local time that happens twice), or a change of the zone's offset
     * (local time jumps then). Empty when there are no windows.
     */
    Optional<Instant> nextBoundaryAfter(Instant now) {
        if (windows.isEmpty()) {
            return Optional.empty();
        }
        Instant best = null;
        ZoneOffsetTransition transition = rules.nextTransition(now);
        if (transition != null) {
            best = transition.getInstant();
        }
        LocalDate today = now.atZone(zone).toLocalDate();
        for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(DAYS_AHEAD)); day = day.plusDays(1)) {
            for (TimeWindow window : windows) {
                if (window.day() != day.getDayOfWeek()) {
                    continue;
                }
                for (int minute : new int[] {window.startMinute(), window.endMinute()}) {
                    for (Instant candidate : occurrences(localTime(day, minute))) {
                        if (candidate.isAfter(now) && (best == null || candidate.isBefore(best))) {
                            best = candidate;
                        }
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static LocalDateTime localTime(LocalDate day, int minute) {
        return minute == TimeWindow.MINUTES_PER_DAY
                ? day.plusDays(1).atStartOfDay()
                : day.atTime(minute / 60, minute % 60);
    }

    /** The instants at which the wall clock shows {@code local}: none in a gap (then its end), two in an overlap. */
    private List<Instant> occurrences(LocalDateTime local) {
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.isEmpty()) {
            return List.of(rules.getTransition(local).getInstant());
        }
        return offsets.stream().map(local::toInstant).toList();
    }
}
