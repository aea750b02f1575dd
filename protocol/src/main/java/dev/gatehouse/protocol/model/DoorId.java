package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a door: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record DoorId(String value) implements Comparable<DoorId> {
    public DoorId {
        Ids.require(value, "door id");
    }

    public static DoorId of(String value) {
        return new DoorId(value);
    }

    @Override
    public int compareTo(DoorId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
