package dev.gatehouse.edge.door;

/**
 * How the lock behaves unpowered. {@link #FAIL_SAFE} (e.g. a maglock): relay energised = locked,
 * unpowered = open. {@link #FAIL_SECURE} (e.g. an electric strike): relay energised = unlocked,
 * unpowered = locked. This is physics, not policy: it is what the door does when the agent, the
 * Pi or the power is gone.
 */
public enum LockType {
    FAIL_SAFE,
    FAIL_SECURE;

    /** The coil level that holds the door locked. */
    public boolean energisedWhenLocked() {
        return this == FAIL_SAFE;
    }

    /** The coil level for a locked ({@code true}) or unlocked door. */
    boolean energisedFor(boolean locked) {
        return locked == energisedWhenLocked();
    }
}
