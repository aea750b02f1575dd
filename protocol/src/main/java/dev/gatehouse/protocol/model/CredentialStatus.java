package dev.gatehouse.protocol.model;

/** The state of one credential, independent of its member's status. Only {@code ACTIVE} credentials open doors. */
public enum CredentialStatus {
    ACTIVE,
    SUSPENDED,
    LOST,
    REVOKED
}
