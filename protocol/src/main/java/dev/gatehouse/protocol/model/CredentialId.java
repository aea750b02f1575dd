package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;

/** The id of a credential: 1-64 characters of {@code A-Z a-z 0-9 _ -}. */
public record CredentialId(String value) implements Comparable<CredentialId> {
    public CredentialId {
        Ids.require(value, "credential id");
    }

    public static CredentialId of(String value) {
        return new CredentialId(value);
    }

    @Override
    public int compareTo(CredentialId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
