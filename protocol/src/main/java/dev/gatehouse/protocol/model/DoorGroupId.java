package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a door group: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record DoorGroupId(String value) implements Comparable<DoorGroupId> {
    public DoorGroupId {
        Ids.require(value, "door group id");
    }

    public static DoorGroupId of(String value) {
        return new DoorGroupId(value);
    }

    @Override
    public int compareTo(DoorGroupId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
