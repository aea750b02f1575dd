package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.console.BookingTimes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A member's view of a site's rooms and desks at one moment: each one's state — free, booked, mine or
 * out of service — and, when it has a position, the box that stands for it on the site's floor plan,
 * in the plan's own coordinates (positions are percent of the plan, as for doors). Pure: the store's
 * rows in, what the page draws out. Occupied time (buffers included) counts as booked; a room is booked
 * while one of its parts is, and a part while the whole is.
 */
public record BookingMap(double width, double height, List<Spot> spots) {
    /** The plan's size when it has none that can be read (or there is no plan): 16:10. */
    static final double DEFAULT_WIDTH = 1000;

    static final double DEFAULT_HEIGHT = 625;

    private static final Pattern SVG_TAG = Pattern.compile("<svg\\b[^>]*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern VIEW_BOX = Pattern.compile(
            "\\bviewBox\\s*=\\s*[\"']\\s*([-+\\d.eE]+)[\\s,]+([-+\\d.eE]+)[\\s,]+([-+\\d.eE]+)[\\s,]+([-+\\d.eE]+)\\s*[\"']");
    private static final Pattern WIDTH = Pattern.compile("\\bwidth\\s*=\\s*[\"']\\s*([\\d.]+)\\s*(px)?\\s*[\"']");
    private static final Pattern HEIGHT = Pattern.compile("\\bheight\\s*=\\s*[\"']\\s*([\\d.]+)\\s*(px)?\\s*[\"']");

    public BookingMap {
        spots = List.copyOf(spots);
    }

    public enum State {
        FREE,
        BOOKED,
        MINE,
        OUT;

        /** {@code free}, {@code booked}, {@code mine}, {@code out}: the CSS class and the message key's end. */
        public String css() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One room or desk: its state at the moment, where a booking of it would start and end by default,
     * and its box on the plan when it has a position.
     */
    public record Spot(Resource resource, State state, String date, String from, String to, Optional<Box> box) {
        public boolean free() {
            return state == State.FREE;
        }
    }

    /** A spot's box on the plan: its corner and size, its two text lines' baselines, centre and type size. */
    public record Box(
            String x,
            String y,
            String width,
            String height,
            String centre,
            String nameLine,
            String stateLine,
            String font) {}

    /**
     * The spots of a site at {@code at}.
     *
     * @param plan the site's floor plan (its size decides the coordinates), if it has one
     * @param blocks the occupied intervals of the site's resources that meet {@code at}
     * @param mine the ids of the member's own live bookings
     * @param stateWords the words each state is drawn with, to size the boxes
     */
    public static BookingMap of(
            Optional<String> plan,
            ZoneId zone,
            Instant at,
            List<Resource> resources,
            List<BookingStore.Busy> blocks,
            Set<String> mine,
            Map<State, String> stateWords) {
        double[] size = plan.map(BookingMap::size).orElse(new double[] {DEFAULT_WIDTH, DEFAULT_HEIGHT});
        Map<String, Resource> byId = new HashMap<>();
        resources.forEach(r -> byId.put(r.id(), r));
        Map<String, State> occupied = new HashMap<>();
        for (BookingStore.Busy block : blocks) {
            if (block.from().isAfter(at) || !block.until().isAfter(at)) {
                continue;
            }
            State state = mine.contains(block.bookingId()) ? State.MINE : State.BOOKED;
            occupied.merge(block.resourceId(), state, BookingMap::stronger);
            // A room is not free while one of its parts is booked (booking it would meet that booking).
            Set<String> seen = new HashSet<>();
            for (Resource r = byId.get(block.resourceId());
                    r != null && r.parentId().isPresent() && seen.add(r.id());
                    r = byId.get(r.parentId().get())) {
                occupied.merge(r.parentId().get(), State.BOOKED, BookingMap::stronger);
            }
        }
        List<Spot> spots = new ArrayList<>();
        for (Resource r : resources) {
            State state = r.status() == Resource.ResourceStatus.OUT_OF_SERVICE
                    ? State.OUT
                    : occupied.getOrDefault(r.id(), State.FREE);
            ZonedDateTime start = nextStep(at, zone, r.rules().granularityMinutes());
            ZonedDateTime end = start.plusMinutes(length(r));
            Optional<Box> box = r.x().isPresent() && r.y().isPresent()
                    ? Optional.of(box(size, r.x().get(), r.y().get(), r.name(), stateWords.getOrDefault(state, "")))
                    : Optional.empty();
            spots.add(new Spot(
                    r,
                    state,
                    start.toLocalDate().toString(),
                    BookingTimes.clock(start.toInstant(), zone),
                    BookingTimes.clock(end.toInstant(), zone),
                    box));
        }
        return new BookingMap(size[0], size[1], spots);
    }

    /** Mine wins over booked: a member sees their own booking as theirs. */
    private static State stronger(State a, State b) {
        return a == State.MINE || b == State.MINE ? State.MINE : State.BOOKED;
    }

    /** The first start on the resource's grid at or after {@code at}, in local time. */
    static ZonedDateTime nextStep(Instant at, ZoneId zone, int granularity) {
        ZonedDateTime local = at.atZone(zone).truncatedTo(ChronoUnit.MINUTES);
        if (local.toInstant().isBefore(at)) {
            local = local.plusMinutes(1);
        }
        int over = local.getMinute() % granularity;
        return over == 0 ? local : local.plusMinutes(granularity - over);
    }

    /** An hour, kept within the resource's shortest and longest booking. */
    static long length(Resource r) {
        long hour = Duration.ofHours(1).toMinutes();
        return Math.max(r.rules().minMinutes(), Math.min(r.rules().maxMinutes(), hour));
    }

    public boolean anyOnPlan() {
        return spots.stream().anyMatch(s -> s.box().isPresent());
    }

    public String viewBox() {
        return "0 0 " + number(width) + " " + number(height);
    }

    public String widthText() {
        return number(width);
    }

    public String heightText() {
        return number(height);
    }

    /**
     * The plan's size in its own units: its {@code viewBox}, else its {@code width} and {@code height}
     * (plain numbers or pixels), else the default. The plan was checked when it was stored.
     */
    static double[] size(String svg) {
        Matcher tag = SVG_TAG.matcher(svg);
        if (!tag.find()) {
            return new double[] {DEFAULT_WIDTH, DEFAULT_HEIGHT};
        }
        String root = tag.group();
        Matcher box = VIEW_BOX.matcher(root);
        if (box.find()) {
            double w = parse(box.group(3));
            double h = parse(box.group(4));
            if (w > 0 && h > 0) {
                return new double[] {w, h};
            }
        }
        Matcher w = WIDTH.matcher(root);
        Matcher h = HEIGHT.matcher(root);
        if (w.find() && h.find() && parse(w.group(1)) > 0 && parse(h.group(1)) > 0) {
            return new double[] {parse(w.group(1)), parse(h.group(1))};
        }
        return new double[] {DEFAULT_WIDTH, DEFAULT_HEIGHT};
    }

    private static double parse(String text) {
        try {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) ? value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A box big enough for the name and the state word, centred on the position and kept inside the
     * plan. The type is a 44th of the plan's width: about 14 px where the plan is drawn 640 px wide,
     * the narrowest it is drawn (a phone scrolls it sideways).
     */
    static Box box(double[] size, int xPercent, int yPercent, String name, String state) {
        double font = size[0] / 44;
        double w = Math.min(size[0], Math.max(name.length(), state.length()) * font * 0.6 + font * 1.4);
        double h = font * 2.8;
        double cx = size[0] * xPercent / 100.0;
        double cy = size[1] * yPercent / 100.0;
        double left = Math.max(0, Math.min(size[0] - w, cx - w / 2));
        double top = Math.max(0, Math.min(size[1] - h, cy - h / 2));
        return new Box(
                number(left),
                number(top),
                number(w),
                number(h),
                number(left + w / 2),
                number(top + font * 1.25),
                number(top + font * 2.4),
                number(font));
    }

    /** A coordinate as SVG takes it: at most two decimals, a dot, no exponent. */
    static String number(double value) {
        return java.math.BigDecimal.valueOf(Math.round(value * 100) / 100.0)
                .stripTrailingZeros()
                .toPlainString();
    }
}
