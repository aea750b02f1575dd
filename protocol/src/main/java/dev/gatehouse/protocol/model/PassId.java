package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a visitor pass: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record PassId(String value) implements Comparable<PassId> {
    public PassId {
        Ids.require(value, "visitor pass id");
    }

    public static PassId of(String value) {
        return new PassId(value);
    }

    @Override
    public int compareTo(PassId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
