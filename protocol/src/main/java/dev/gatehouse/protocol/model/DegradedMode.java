package dev.gatehouse.protocol.model;

/** What a door does when its clock cannot be trusted, or when the site has been offline too long. */
public enum DegradedMode {
    /** Decide as usual. */
    KEEP_GRANTING,
    /** Only members with the {@code staff} role pass (still needing an active credential and a grant for the door). */
    STAFF_ONLY,
    /** Nobody passes by credential; REX, emergency release and the mechanical key still work. */
    DENY
}
