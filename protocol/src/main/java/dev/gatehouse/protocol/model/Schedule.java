package dev.gatehouse.protocol.model;

import java.time.DayOfWeek;
import java.util.List;

/** A weekly schedule in the site's time zone, and how it treats the site's holidays. */
public record Schedule(ScheduleId id, List<TimeWindow> windows, HolidayRule holidays) implements Entity {
    public Schedule {
        Checks.present(id, "schedule id");
        windows = List.copyOf(Checks.present(windows, "schedule " + id + " windows"));
        Checks.present(holidays, "schedule " + id + " holidays");
        if (windows.size() > 64) {
            throw Checks.bad("schedule " + id + " has " + windows.size() + " windows; the limit is 64");
        }
    }

    /** Whether local {@code minuteOfDay} on {@code day} falls in any window (holidays are the caller's concern). */
    public boolean contains(DayOfWeek day, int minuteOfDay) {
        for (TimeWindow window : windows) {
            if (window.contains(day, minuteOfDay)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public EntityKind kind() {
        return EntityKind.SCHEDULE;
    }

    @Override
    public String key() {
        return id.value();
    }
}
