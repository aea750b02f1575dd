package dev.gatehouse.protocol.model;

/** Where a member stands with the operator. Only {@code ACTIVE} members pass any door. */
public enum MemberStatus {
    ACTIVE,
    SUSPENDED,
    CANCELLED
}
