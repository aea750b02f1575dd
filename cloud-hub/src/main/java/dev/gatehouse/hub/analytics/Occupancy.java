package dev.gatehouse.hub.analytics;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The four occupancies, each a pure function of stored rows and an as-of instant (rows made after it
 * do not count; a booking cancelled after it still held its time then). No clock, no store.
 */
public final class Occupancy {
    private Occupancy() {}

    public static final String PHYSICAL_DEFINITION = "Physical occupancy: distinct members present in each hour"
            + " ÷ the site's capacity. A member is present from each granted entry at a door of the site for"
            + " the dwell time (the sites record no exits); an hour counts everyone present at any moment of it."
            + " Only events the hub had received by the as-of instant count.";

    public static final String SOLD_DEFINITION = "Sold occupancy: (seats of team packages under contract +"
            + " membership subscriptions ÷ the hot-desk coefficient) ÷ the site's desks, at the as-of instant."
            + " Subscriptions are the site's, running then (paused and ended ones are out); passes and add-ons"
            + " are not contracts for a desk.";

    public static final String UTILISATION_DEFINITION = "Utilisation: booked hours ÷ bookable hours per"
            + " resource. Bookable: its opening hours in the site's zone (all day when it has none) minus the"
            + " site's holidays when it closes on them. Booked: the time of bookings that held it at the as-of"
            + " instant (a released no-show holds its time only until its release), within the bookable hours."
            + " Actual: the same for bookings checked in by the as-of instant.";

    public static final String NO_SHOW_DEFINITION = "No-show rate: bookings released for want of a check-in ÷"
            + " bookings that needed a check-in and were either checked in or released by the as-of instant,"
            + " counted by their start in the period.";

    /** The hour-long slots [h, h + 1 h) from local midnight of {@code from} to that of the day after {@code to}. */
    public static List<Instant> hours(ZoneId zone, LocalDate from, LocalDate to) {
        Instant start = from.atStartOfDay(zone).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(zone).toInstant();
        List<Instant> hours = new ArrayList<>();
        for (Instant h = start; h.isBefore(end); h = h.plusSeconds(3600)) {
            hours.add(h);
        }
        return hours;
    }

    public record HourCount(Instant hour, int people) {}

    /** Physical occupancy over {@code hours}; {@code capacity} may be 0 (no capacity known: no ratio). */
    public record Physical(int capacity, String capacitySource, List<HourCount> hours, int peak, double average) {
        public Physical {
            hours = List.copyOf(hours);
        }

        public Optional<Double> peakRatio() {
            return capacity == 0 ? Optional.empty() : Optional.of((double) peak / capacity);
        }

        public Optional<Double> averageRatio() {
            return capacity == 0 ? Optional.empty() : Optional.of(average / capacity);
        }
    }

    /** Who was present in each of {@code hours} (hours from the as-of instant on are left out). */
    public static List<Set<String>> present(
            List<Rows.Entry> entries, List<Instant> hours, Duration dwell, Instant asOf) {
        List<Set<String>> present = new ArrayList<>();
        for (Instant hour : hours) {
            if (hour.isBefore(asOf)) {
                present.add(new HashSet<>());
            }
        }
        if (present.isEmpty()) {
            return present;
        }
        long first = hours.getFirst().toEpochMilli();
        for (Rows.Entry entry : entries) {
            if (entry.at().isAfter(asOf) || entry.receivedAt().isAfter(asOf)) {
                continue;
            }
            long from = entry.at().toEpochMilli();
            long until = Math.min(from + dwell.toMillis(), asOf.toEpochMilli());
            int a = (int) Math.max(0, Math.floorDiv(from - first, 3_600_000L));
            int b = (int) Math.min(present.size() - 1, Math.floorDiv(until - 1 - first, 3_600_000L));
            for (int i = a; i <= b; i++) {
                present.get(i).add(entry.memberId());
            }
        }
        return present;
    }

    public static Physical physical(
            List<Rows.Entry> entries,
            List<Instant> hours,
            Duration dwell,
            Instant asOf,
            int capacity,
            String capacitySource) {
        return counted(
                present(entries, hours, dwell, asOf).stream().map(Set::size).toList(), hours, capacity, capacitySource);
    }

    /** As {@link #physical}, from how many were present in each hour before the as-of instant. */
    public static Physical counted(List<Integer> present, List<Instant> hours, int capacity, String capacitySource) {
        List<HourCount> counts = new ArrayList<>();
        int peak = 0;
        long total = 0;
        for (int i = 0; i < present.size(); i++) {
            int people = present.get(i);
            counts.add(new HourCount(hours.get(i), people));
            peak = Math.max(peak, people);
            total += people;
        }
        return new Physical(
                capacity, capacitySource, counts, peak, counts.isEmpty() ? 0 : (double) total / counts.size());
    }

    /** Sold occupancy at an instant, with the subscriptions behind it. */
    public record Sold(
            int desks,
            String desksSource,
            int coefficientPercent,
            int teamSeats,
            int memberships,
            List<Revision> subscriptions) {
        public Sold {
            subscriptions = List.copyOf(subscriptions);
        }

        /** Desks sold: team seats + memberships ÷ coefficient. */
        public double soldDesks() {
            return teamSeats + memberships * 100.0 / coefficientPercent;
        }

        public Optional<Double> ratio() {
            return desks == 0 ? Optional.empty() : Optional.of(soldDesks() / desks);
        }
    }

    /** From the subscriptions running at the site at the as-of instant ({@link Revenue#running}). */
    public static Sold sold(List<Revision> running, int desks, String desksSource, int coefficientPercent) {
        int seats = 0;
        int memberships = 0;
        List<Revision> rows = new ArrayList<>();
        for (Revision r : running) {
            switch (r.packageKind()) {
                case "TEAM" -> {
                    seats += r.seats();
                    rows.add(r);
                }
                case "MEMBERSHIP" -> {
                    memberships++;
                    rows.add(r);
                }
                default -> {
                    // Passes and add-ons are no contract for a desk.
                }
            }
        }
        return new Sold(desks, desksSource, coefficientPercent, seats, memberships, rows);
    }

    /** One resource's utilisation over a period, in milliseconds. */
    public record Use(Rows.Resource resource, long bookableMs, long bookedMs, long checkedInMs, List<String> bookings) {
        public Use {
            bookings = List.copyOf(bookings);
        }

        public Optional<Double> booked() {
            return bookableMs == 0 ? Optional.empty() : Optional.of((double) bookedMs / bookableMs);
        }

        public Optional<Double> actual() {
            return bookableMs == 0 ? Optional.empty() : Optional.of((double) checkedInMs / bookableMs);
        }
    }

    public static List<Use> utilisation(
            List<Rows.Resource> resources,
            List<Rows.Booking> bookings,
            ZoneId zone,
            Instant from,
            Instant to,
            Instant asOf,
            Set<LocalDate> holidays) {
        Map<String, List<Rows.Booking>> byResource = new java.util.HashMap<>();
        for (Rows.Booking booking : bookings) {
            if (booking.heldAt(asOf)) {
                byResource
                        .computeIfAbsent(booking.resourceId(), k -> new ArrayList<>())
                        .add(booking);
            }
        }
        List<Use> uses = new ArrayList<>();
        for (Rows.Resource resource : resources) {
            List<Instant[]> open = Rows.bookable(resource, zone, from, to, holidays);
            long bookable = open.stream()
                    .mapToLong(w -> w[1].toEpochMilli() - w[0].toEpochMilli())
                    .sum();
            long booked = 0;
            long checkedIn = 0;
            List<String> ids = new ArrayList<>();
            for (Rows.Booking booking : byResource.getOrDefault(resource.id(), List.of())) {
                long ms = 0;
                for (Instant[] window : open) {
                    ms += Rows.overlap(booking.start(), booking.heldUntil(asOf), window[0], window[1]);
                }
                if (ms > 0) {
                    ids.add(booking.id());
                    booked += ms;
                    if (booking.checkedInBy(asOf)) {
                        checkedIn += ms;
                    }
                }
            }
            uses.add(new Use(resource, bookable, booked, checkedIn, ids));
        }
        return uses;
    }

    /** The no-show rate's rows: bookings decided by the as-of instant, and those of them released. */
    public record NoShows(List<Rows.Booking> decided, List<Rows.Booking> released) {
        public NoShows {
            decided = List.copyOf(decided);
            released = List.copyOf(released);
        }

        public Optional<Double> rate() {
            return decided.isEmpty() ? Optional.empty() : Optional.of((double) released.size() / decided.size());
        }
    }

    /** Whether the booking's check-in outcome is known at {@code asOf}: checked in or released. */
    static boolean decided(Rows.Booking booking, Instant asOf) {
        return booking.needsCheckIn()
                && booking.heldAt(asOf)
                && (booking.checkedInBy(asOf) || booking.releasedBy(asOf));
    }

    public static NoShows noShows(List<Rows.Booking> bookings, Instant from, Instant to, Instant asOf) {
        List<Rows.Booking> decided = new ArrayList<>();
        List<Rows.Booking> released = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Rows.Booking booking : bookings) {
            if (booking.start().isBefore(from) || !booking.start().isBefore(to) || !seen.add(booking.id())) {
                continue;
            }
            if (decided(booking, asOf)) {
                decided.add(booking);
                if (booking.releasedBy(asOf)) {
                    released.add(booking);
                }
            }
        }
        return new NoShows(decided, released);
    }
}
