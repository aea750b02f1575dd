package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a schedule: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record ScheduleId(String value) implements Comparable<ScheduleId> {
    public ScheduleId {
        Ids.require(value, "schedule id");
    }

    public static ScheduleId of(String value) {
        return new ScheduleId(value);
    }

    @Override
    public int compareTo(ScheduleId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
