package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a member: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record MemberId(String value) implements Comparable<MemberId> {
    public MemberId {
        Ids.require(value, "member id");
    }

    public static MemberId of(String value) {
        return new MemberId(value);
    }

    @Override
    public int compareTo(MemberId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
