package dev.gatehouse.hub.analytics;

import dev.gatehouse.protocol.model.TimeWindow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The stored rows the occupancy metrics are functions of, as {@link AnalyticsStore} reads them. */
public final class Rows {
    private Rows() {}

    /** A granted entry of a member at one of the site's doors ({@code access_events}). */
    public record Entry(String eventId, String memberId, String doorId, Instant at, Instant receivedAt) {}

    /** A bookable resource of the site, with its opening hours in the site's zone (none: any time). */
    public record Resource(
            String id,
            String name,
            String kind,
            int capacity,
            List<TimeWindow> openingHours,
            boolean closedOnHolidays) {
        public Resource {
            openingHours = List.copyOf(openingHours);
        }
    }

    /**
     * A booking with the instants that decide what it was at any as-of instant: created, cancelled,
     * declined or lapsed ({@code decidedAt} with such a status), released as a no-show, checked in.
     */
    public record Booking(
            String id,
            String resourceId,
            String memberId,
            String status,
            Instant start,
            Instant end,
            Instant createdAt,
            Optional<Instant> cancelledAt,
            Optional<Instant> decidedAt,
            Optional<Instant> releasedAt,
            Optional<Instant> checkedInAt,
            boolean needsCheckIn) {

        /** Whether it existed and held its time at {@code asOf} (made by then, not cancelled, declined or lapsed by then). */
        public boolean heldAt(Instant asOf) {
            if (createdAt.isAfter(asOf)) {
                return false;
            }
            if (cancelledAt.filter(at -> !at.isAfter(asOf)).isPresent()) {
                return false;
            }
            boolean refused = "DECLINED".equals(status) || "LAPSED".equals(status);
            return !(refused && decidedAt.filter(at -> !at.isAfter(asOf)).isPresent());
        }

        /** Released as a no-show by {@code asOf}. */
        public boolean releasedBy(Instant asOf) {
            return releasedAt.filter(at -> !at.isAfter(asOf)).isPresent();
        }

        public boolean checkedInBy(Instant asOf) {
            return checkedInAt.filter(at -> !at.isAfter(asOf)).isPresent();
        }

        /** The time it held at {@code asOf}: from its start to its end, or to its release. */
        public Instant heldUntil(Instant asOf) {
            return releasedBy(asOf) && releasedAt.get().isBefore(end) ? releasedAt.get() : end;
        }
    }

    /** Milliseconds of [a, b) that fall in [from, to). */
    static long overlap(Instant a, Instant b, Instant from, Instant to) {
        long start = Math.max(a.toEpochMilli(), from.toEpochMilli());
        long end = Math.min(b.toEpochMilli(), to.toEpochMilli());
        return Math.max(0, end - start);
    }

    /**
     * The instants a resource may be booked within [from, to): its opening windows on each local day
     * (every hour of the day when it has none), minus the site's holidays when it closes on them. A
     * window's wall-clock times become instants in the site's zone, so a window over a DST change is an
     * hour shorter or longer.
     */
    static List<Instant[]> bookable(Resource resource, ZoneId zone, Instant from, Instant to, Set<LocalDate> holidays) {
        List<Instant[]> out = new ArrayList<>();
        LocalDate day = from.atZone(zone).toLocalDate();
        LocalDate last = to.atZone(zone).toLocalDate();
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            if (resource.closedOnHolidays() && holidays.contains(day)) {
                continue;
            }
            if (resource.openingHours().isEmpty()) {
                clip(out, day.atStartOfDay(zone), day.plusDays(1).atStartOfDay(zone), from, to);
                continue;
            }
            for (TimeWindow window : resource.openingHours()) {
                if (window.day() == day.getDayOfWeek()) {
                    clip(
                            out,
                            day.atStartOfDay().plusMinutes(window.startMinute()).atZone(zone),
                            day.atStartOfDay().plusMinutes(window.endMinute()).atZone(zone),
                            from,
                            to);
                }
            }
        }
        return out;
    }

    private static void clip(List<Instant[]> out, ZonedDateTime a, ZonedDateTime b, Instant from, Instant to) {
        Instant start = a.toInstant().isBefore(from) ? from : a.toInstant();
        Instant end = b.toInstant().isAfter(to) ? to : b.toInstant();
        if (start.isBefore(end)) {
            out.add(new Instant[] {start, end});
        }
    }
}
