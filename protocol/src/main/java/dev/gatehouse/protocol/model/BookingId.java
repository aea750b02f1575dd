package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a booking: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record BookingId(String value) implements Comparable<BookingId> {
    public BookingId {
        Ids.require(value, "booking id");
    }

    public static BookingId of(String value) {
        return new BookingId(value);
    }

    @Override
    public int compareTo(BookingId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
