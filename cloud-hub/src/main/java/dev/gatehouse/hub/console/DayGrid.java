package dev.gatehouse.hub.console;

import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.bookings.Resource;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The day view's grid: one row per resource of a site (a room's parts right under it), one column per
 * five minutes of the day in the site's zone, and in each row the day's occupied time laid out as cells
 * that span their columns — so the page is a plain table, which needs no inline style (the CSP allows
 * none) and reads row by row to a screen reader. A booking is a cell with its buffers shaded on either
 * side; a room blocked by a booking of the whole (or of one of its parts) shows that; free time is cut
 * at each full hour so every hour has a cell to book from. Pure: the store's rows in, cells out.
 *
 * <p>The columns run from 07:00 to 21:00, widened to whole hours to show any occupied time of the day.
 * Times that are not on the five-minute grid (an override booked "from now") are rounded to the nearest
 * column, never letting a cell start before the previous one ends.
 */
public record DayGrid(LocalDate date, ZoneId zone, Instant from, Instant until, List<Hour> hours, List<Row> rows) {
    static final Duration SLOT = Duration.ofMinutes(5);
    static final int SLOTS_PER_HOUR = 12;
    static final int FIRST_HOUR = 7;
    static final int LAST_HOUR = 21;

    public DayGrid {
        hours = List.copyOf(hours);
        rows = List.copyOf(rows);
    }

    /** A column heading: the wall-clock hour it starts at and how many five-minute columns it spans. */
    public record Hour(String label, int span) {}

    /** A resource's row: {@code depth} is 0 for a room, 1 for its part, and so on. */
    public record Row(Resource resource, int depth, Optional<String> parentName, List<Cell> cells) {
        public Row {
            cells = List.copyOf(cells);
        }

        public boolean outOfService() {
            return resource.status() == Resource.ResourceStatus.OUT_OF_SERVICE;
        }
    }

    /** What fills some columns of a row. */
    public sealed interface Cell permits Free, Buffer, Booked, Blocked {
        int span();
    }

    /** Nothing booked: {@code date} and {@code time} start a new booking here; {@code past} when it is over. */
    public record Free(int span, String date, String time, boolean past) implements Cell {}

    /** A booking's buffer (setting up or cleaning): occupied, shaded. */
    public record Buffer(int span, long minutes, boolean before) implements Cell {}

    /** A booking of this resource; {@code member} is the member's name when the operator may see members. */
    public record Booked(int span, BookingView booking, String time, Optional<String> member) implements Cell {
        public boolean override() {
            return booking.overrideReason() != null;
        }
    }

    /** Occupied by a booking of the whole room ({@code whole}) or of some of its parts, named {@code by}. */
    public record Blocked(int span, boolean whole, String by, String time) implements Cell {}

    /**
     * Lays out the day.
     *
     * @param resources the site's resources
     * @param blocks the occupied intervals of the site's resources meeting the day ({@link BookingStore#busy})
     * @param bookings the live bookings those intervals belong to, by id
     * @param members the name to show for a member id (empty: show none)
     */
    public static DayGrid build(
            LocalDate date,
            ZoneId zone,
            Instant now,
            List<Resource> resources,
            List<BookingStore.Busy> blocks,
            Map<String, BookingView> bookings,
            java.util.function.Function<String, Optional<String>> members) {
        Instant dayStart = date.atStartOfDay(zone).toInstant();
        Instant dayEnd = date.plusDays(1).atStartOfDay(zone).toInstant();
        int first = FIRST_HOUR;
        int last = LAST_HOUR;
        for (BookingStore.Busy block : blocks) {
            Instant a = block.from().isBefore(dayStart) ? dayStart : block.from();
            Instant b = block.until().isAfter(dayEnd) ? dayEnd : block.until();
            if (!a.isBefore(b)) {
                continue;
            }
            first = Math.min(first, a.atZone(zone).getHour());
            ZonedDateTime end = b.atZone(zone);
            int endHour = b.equals(dayEnd) ? 24 : end.getHour() + (end.getMinute() > 0 || end.getSecond() > 0 ? 1 : 0);
            last = Math.max(last, endHour);
        }
        Instant from = hourOf(date, first, zone);
        Instant until = last >= 24 ? dayEnd : hourOf(date, last, zone);
        int slots = (int) (Duration.between(from, until).toMinutes() / SLOT.toMinutes());
        Layout layout = new Layout(from, slots, zone, now);

        List<Hour> hours = new ArrayList<>();
        for (int s = 0; s < slots; s += SLOTS_PER_HOUR) {
            hours.add(new Hour(BookingTimes.clock(layout.instant(s), zone), Math.min(SLOTS_PER_HOUR, slots - s)));
        }

        Map<String, Resource> byId = new HashMap<>();
        resources.forEach(r -> byId.put(r.id(), r));
        Map<String, List<BookingStore.Busy>> blocksOf = new HashMap<>();
        for (BookingStore.Busy block : blocks) {
            blocksOf.computeIfAbsent(block.resourceId(), id -> new ArrayList<>())
                    .add(block);
        }
        List<Row> rows = new ArrayList<>();
        for (Placed placed : tree(resources, byId)) {
            Resource resource = placed.resource();
            List<Segment> segments = new ArrayList<>();
            for (BookingStore.Busy block : blocksOf.getOrDefault(resource.id(), List.of())) {
                BookingView booking = bookings.get(block.bookingId());
                if (booking != null && booking.resourceId().equals(resource.id())) {
                    Instant start = Instant.parse(booking.start());
                    Instant end = Instant.parse(booking.end());
                    segments.add(new Segment(block.from(), start, Kind.BUFFER_BEFORE, booking));
                    segments.add(new Segment(start, end, Kind.BOOKED, booking));
                    segments.add(new Segment(end, block.until(), Kind.BUFFER_AFTER, booking));
                } else {
                    segments.add(new Segment(block.from(), block.until(), Kind.WHOLE, booking));
                }
            }
            segments.addAll(partsBooked(resource, byId, blocksOf, bookings));
            segments.sort(Comparator.comparing(Segment::from)
                    .thenComparing(s -> s.kind().ordinal()));
            rows.add(new Row(
                    resource,
                    placed.depth(),
                    resource.parentId().map(byId::get).map(Resource::name),
                    layout.cells(segments, byId, members)));
        }
        return new DayGrid(date, zone, from, until, hours, rows);
    }

    private static Instant hourOf(LocalDate date, int hour, ZoneId zone) {
        return date.atTime(hour, 0).atZone(zone).toInstant();
    }

    private enum Kind {
        BUFFER_BEFORE,
        BOOKED,
        BUFFER_AFTER,
        WHOLE,
        PARTS
    }

    private record Segment(Instant from, Instant until, Kind kind, BookingView booking) {}

    private record Placed(Resource resource, int depth) {}

    /** Rooms by name, each followed by its parts (to any depth); a part whose room is missing stands alone. */
    private static List<Placed> tree(List<Resource> resources, Map<String, Resource> byId) {
        Map<String, List<Resource>> children = new HashMap<>();
        List<Resource> roots = new ArrayList<>();
        for (Resource r : resources) {
            if (r.parentId().isPresent() && byId.containsKey(r.parentId().get())) {
                children.computeIfAbsent(r.parentId().get(), id -> new ArrayList<>())
                        .add(r);
            } else {
                roots.add(r);
            }
        }
        List<Placed> placed = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Resource root : roots) {
            place(root, 0, children, placed, seen);
        }
        return placed;
    }

    private static void place(
            Resource r, int depth, Map<String, List<Resource>> children, List<Placed> into, Set<String> seen) {
        if (!seen.add(r.id())) {
            return;
        }
        into.add(new Placed(r, depth));
        for (Resource child : children.getOrDefault(r.id(), List.of())) {
            place(child, depth + 1, children, into, seen);
        }
    }

    /**
     * The time some part of {@code resource} is booked on its own (its blocks from bookings of that part
     * or of a part below it), merged: booking the whole would meet them.
     */
    private static List<Segment> partsBooked(
            Resource resource,
            Map<String, Resource> byId,
            Map<String, List<BookingStore.Busy>> blocksOf,
            Map<String, BookingView> bookings) {
        List<Segment> parts = new ArrayList<>();
        for (Resource candidate : byId.values()) {
            if (candidate.id().equals(resource.id()) || !isBelow(candidate, resource.id(), byId)) {
                continue;
            }
            for (BookingStore.Busy block : blocksOf.getOrDefault(candidate.id(), List.of())) {
                BookingView booking = bookings.get(block.bookingId());
                if (booking != null
                        && !booking.resourceId().equals(resource.id())
                        && isBelow(byId.get(booking.resourceId()), resource.id(), byId)) {
                    parts.add(new Segment(block.from(), block.until(), Kind.PARTS, booking));
                }
            }
        }
        parts.sort(Comparator.comparing(Segment::from));
        List<Segment> merged = new ArrayList<>();
        for (Segment s : parts) {
            Segment lastOne = merged.isEmpty() ? null : merged.getLast();
            if (lastOne != null && !s.from().isAfter(lastOne.until())) {
                if (s.until().isAfter(lastOne.until())) {
                    merged.set(
                            merged.size() - 1, new Segment(lastOne.from(), s.until(), Kind.PARTS, lastOne.booking()));
                }
            } else {
                merged.add(s);
            }
        }
        return merged;
    }

    /** Whether {@code r} is a part (to any depth) of {@code ancestorId}. */
    private static boolean isBelow(Resource r, String ancestorId, Map<String, Resource> byId) {
        Set<String> seen = new HashSet<>();
        for (Resource at = r; at != null && at.parentId().isPresent() && seen.add(at.id()); ) {
            if (at.parentId().get().equals(ancestorId)) {
                return true;
            }
            at = byId.get(at.parentId().get());
        }
        return false;
    }

    /** Columns of one day: instants to column numbers and segments to cells. */
    private record Layout(Instant from, int slots, ZoneId zone, Instant now) {
        Instant instant(int slot) {
            return from.plus(SLOT.multipliedBy(slot));
        }

        /** The nearest column boundary to {@code at}, within the grid. */
        int slot(Instant at) {
            long seconds = Duration.between(from, at).toSeconds();
            long rounded = Math.round(seconds / (double) SLOT.toSeconds());
            return (int) Math.max(0, Math.min(slots, rounded));
        }

        List<Cell> cells(
                List<Segment> segments,
                Map<String, Resource> byId,
                java.util.function.Function<String, Optional<String>> members) {
            List<Cell> cells = new ArrayList<>();
            int at = 0;
            for (Segment s : segments) {
                int a = Math.max(slot(s.from()), at);
                int b = slot(s.until());
                if (b <= a) {
                    continue;
                }
                free(at, a, cells);
                String time = BookingTimes.range(s.from(), s.until(), zone);
                cells.add(
                        switch (s.kind()) {
                            case BUFFER_BEFORE -> new Buffer(b - a, BookingTimes.minutes(s.from(), s.until()), true);
                            case BUFFER_AFTER -> new Buffer(b - a, BookingTimes.minutes(s.from(), s.until()), false);
                            case BOOKED ->
                                new Booked(
                                        b - a,
                                        s.booking(),
                                        time,
                                        members.apply(s.booking().memberId()));
                            case WHOLE ->
                                new Blocked(
                                        b - a,
                                        true,
                                        s.booking() == null
                                                        || byId.get(s.booking().resourceId()) == null
                                                ? ""
                                                : byId.get(s.booking().resourceId())
                                                        .name(),
                                        time);
                            case PARTS -> new Blocked(b - a, false, "", time);
                        });
                at = b;
            }
            free(at, slots, cells);
            return cells;
        }

        /** Free columns [a, b), cut at each full hour of the grid. */
        private void free(int a, int b, List<Cell> cells) {
            for (int s = a; s < b; ) {
                int next = Math.min(b, (s / SLOTS_PER_HOUR + 1) * SLOTS_PER_HOUR);
                Instant start = instant(s);
                cells.add(new Free(
                        next - s,
                        BookingTimes.isoDate(start, zone),
                        BookingTimes.clock(start, zone),
                        !instant(next).isAfter(now)));
                s = next;
            }
        }
    }
}
