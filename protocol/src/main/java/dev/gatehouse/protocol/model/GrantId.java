package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a grant: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record GrantId(String value) implements Comparable<GrantId> {
    public GrantId {
        Ids.require(value, "grant id");
    }

    public static GrantId of(String value) {
        return new GrantId(value);
    }

    @Override
    public int compareTo(GrantId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
