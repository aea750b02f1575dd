package dev.gatehouse.protocol.model;

/** The state of a visitor pass as the hub last knew it. */
public enum PassStatus {
    ACTIVE,
    REVOKED
}
