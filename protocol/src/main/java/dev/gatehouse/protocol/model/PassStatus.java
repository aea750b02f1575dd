package dev.gatehouse.protocol.model;

/**
 * The state of a visitor pass as the hub last knew it. {@link #USED}: a single-use pass some edge of
 * the site reported using, so every edge refuses it from then on; only edges reporting
 * {@link VisitorPass#USED_FEATURE} get it (others get {@link #REVOKED}: fail closed).
 */
public enum PassStatus {
    ACTIVE,
    REVOKED,
    USED
}
