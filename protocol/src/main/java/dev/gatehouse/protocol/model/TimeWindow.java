package dev.gatehouse.protocol.model;

import java.time.DayOfWeek;
import java.time.LocalTime;

/**
 * One weekly window in wall-clock time: {@code day} from {@code startMinute} (inclusive) to
 * {@code endMinute} (exclusive), counted from local midnight; {@code endMinute} 1440 means "until
 * midnight". A window stays within its day: a night shift is two windows.
 */
public record TimeWindow(DayOfWeek day, int startMinute, int endMinute) {
    public static final int MINUTES_PER_DAY = 24 * 60;

    public TimeWindow {
        Checks.present(day, "window day");
        if (startMinute < 0 || startMinute >= MINUTES_PER_DAY) {
            throw Checks.bad("window start " + startMinute + " is outside 00:00-23:59");
        }
        if (endMinute <= startMinute || endMinute > MINUTES_PER_DAY) {
            throw Checks.bad("window " + day + " " + format(startMinute) + "-" + format(endMinute)
                    + " must end after it starts and no later than 24:00");
        }
    }

    public static TimeWindow of(DayOfWeek day, String start, String end) {
        return new TimeWindow(day, parse(start, "window start"), parse(end, "window end"));
    }

    /** Whether the local time {@code minuteOfDay} on {@code dayOfWeek} falls inside this window. */
    public boolean contains(DayOfWeek dayOfWeek, int minuteOfDay) {
        return day == dayOfWeek && minuteOfDay >= startMinute && minuteOfDay < endMinute;
    }

    /** "HH:MM", with 1440 written as "24:00". */
    public static String format(int minute) {
        return String.format("%02d:%02d", minute / 60, minute % 60);
    }

    /** Parses "HH:MM" (00:00 to 24:00). */
    public static int parse(String text, String field) {
        Checks.present(text, field);
        if (text.length() != 5
                || text.charAt(2) != ':'
                || !asciiDigit(text.charAt(0))
                || !asciiDigit(text.charAt(1))
                || !asciiDigit(text.charAt(3))
                || !asciiDigit(text.charAt(4))) {
            throw Checks.bad(field + " '" + text + "' must be HH:MM (00:00 to 24:00)");
        }
        try {
            int hours = Integer.parseInt(text.substring(0, 2));
            int minutes = Integer.parseInt(text.substring(3, 5));
            if (hours > 24 || minutes > 59 || (hours == 24 && minutes != 0)) {
                throw Checks.bad(field + " '" + text + "' is not a time between 00:00 and 24:00");
            }
            return hours * 60 + minutes;
        } catch (NumberFormatException e) {
            throw Checks.bad(field + " '" + text + "' must be HH:MM (00:00 to 24:00)");
        }
    }

    private static boolean asciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Convenience for tests and demos: a window as {@code LocalTime}s, where {@code LocalTime.MAX} means 24:00. */
    public static TimeWindow of(DayOfWeek day, LocalTime start, LocalTime end) {
        int endMinute = end.equals(LocalTime.MAX) ? MINUTES_PER_DAY : end.getHour() * 60 + end.getMinute();
        return new TimeWindow(day, start.getHour() * 60 + start.getMinute(), endMinute);
    }
}
