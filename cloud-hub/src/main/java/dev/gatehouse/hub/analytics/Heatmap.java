package dev.gatehouse.hub.analytics;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A 7 × 24 hour-of-week grid of a site in its own zone: for each real hour of a period, its local
 * weekday (Monday first) and local hour pick a cell, which adds up that hour's presence, booked time,
 * bookings started and their no-shows.
 *
 * <p>Across DST the grid counts real hours: the hour skipped when clocks go forward (02:00 on the
 * spring Sunday in Europe/Berlin) does not exist, so that Sunday adds nothing to the 02 cell; the hour
 * repeated when clocks go back (02:00 in October) happens twice, so that Sunday adds two hours to the
 * 02 cell. Only hours begun by the as-of instant are samples. Each cell carries how many real hours it holds, so averages divide by what happened and the
 * cells' sums equal the period's totals.
 */
public final class Heatmap {
    public static final String DEFINITION = "Hour-of-week heatmap: each real hour of the period in the site's"
            + " local time adds to the cell of its weekday and hour. presence: distinct members present that"
            + " hour (physical occupancy's rule), averaged over the cell's hours; booked: hours of bookings in"
            + " it (utilisation's rule); no-show: released ÷ decided bookings starting in it. Across DST the"
            + " skipped spring hour adds no hour to its cell, the repeated autumn hour adds two.";

    private Heatmap() {}

    /** One cell: the real hours in it and what they add up to. */
    public record Cell(int hours, long people, long bookedMs, int bookings, int decided, int noShows) {
        public Optional<Double> averagePeople() {
            return hours == 0 ? Optional.empty() : Optional.of((double) people / hours);
        }

        public Optional<Double> noShowRate() {
            return decided == 0 ? Optional.empty() : Optional.of((double) noShows / decided);
        }
    }

    /** The grid: {@code cells[day][hour]}, day 0 Monday … 6 Sunday, hour 0 … 23 local. */
    public record Grid(ZoneId zone, Cell[][] cells) {
        public Cell cell(int day, int hour) {
            return cells[day][hour];
        }
    }

    /** The local weekday (0 Monday) and hour of an instant in {@code zone}. */
    static int[] slot(Instant instant, ZoneId zone) {
        ZonedDateTime local = instant.atZone(zone);
        return new int[] {local.getDayOfWeek().getValue() - 1, local.getHour()};
    }

    /**
     * @param hours the period's hours ({@link Occupancy#hours})
     * @param present who was present in each hour before the as-of instant ({@link Occupancy#present})
     * @param bookings the bookings to count (a resource kind's, or all)
     */
    public static Grid of(
            ZoneId zone, List<Instant> hours, List<Set<String>> present, List<Rows.Booking> bookings, Instant asOf) {
        return counted(zone, hours, present.stream().map(Set::size).toList(), bookings, asOf);
    }

    /** As {@link #of}, from how many were present in each hour before the as-of instant. */
    public static Grid counted(
            ZoneId zone, List<Instant> hours, List<Integer> present, List<Rows.Booking> bookings, Instant asOf) {
        int[][] count = new int[7][24];
        long[][] people = new long[7][24];
        long[][] booked = new long[7][24];
        int[][] started = new int[7][24];
        int[][] decided = new int[7][24];
        int[][] noShows = new int[7][24];
        Instant end = hours.isEmpty() ? asOf : hours.getLast().plusSeconds(3600);
        for (int i = 0; i < hours.size(); i++) {
            if (!hours.get(i).isBefore(asOf)) {
                // An hour not begun at the as-of instant has no presence yet: it is no sample.
                continue;
            }
            int[] s = slot(hours.get(i), zone);
            count[s[0]][s[1]]++;
            if (i < present.size()) {
                people[s[0]][s[1]] += present.get(i);
            }
        }
        for (Rows.Booking booking : bookings) {
            if (!booking.heldAt(asOf) || hours.isEmpty()) {
                continue;
            }
            Instant heldUntil = booking.heldUntil(asOf);
            for (Instant h = hourOf(booking.start(), hours.getFirst());
                    h.isBefore(heldUntil) && h.isBefore(end);
                    h = h.plusSeconds(3600)) {
                long ms = Rows.overlap(booking.start(), heldUntil, h, h.plusSeconds(3600));
                if (ms > 0 && !h.isBefore(hours.getFirst())) {
                    int[] s = slot(h, zone);
                    booked[s[0]][s[1]] += ms;
                }
            }
            if (!booking.start().isBefore(hours.getFirst()) && booking.start().isBefore(end)) {
                int[] s = slot(booking.start(), zone);
                started[s[0]][s[1]]++;
                if (Occupancy.decided(booking, asOf)) {
                    decided[s[0]][s[1]]++;
                    if (booking.releasedBy(asOf)) {
                        noShows[s[0]][s[1]]++;
                    }
                }
            }
        }
        Cell[][] cells = new Cell[7][24];
        for (int d = 0; d < 7; d++) {
            for (int h = 0; h < 24; h++) {
                cells[d][h] =
                        new Cell(count[d][h], people[d][h], booked[d][h], started[d][h], decided[d][h], noShows[d][h]);
            }
        }
        return new Grid(zone, cells);
    }

    /** The start of the period's hour that holds {@code t} (the period's first hour for earlier instants). */
    private static Instant hourOf(Instant t, Instant first) {
        long offset = Math.max(0, Math.floorDiv(t.toEpochMilli() - first.toEpochMilli(), 3_600_000L));
        return first.plusMillis(offset * 3_600_000L);
    }
}
