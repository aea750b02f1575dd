package dev.gatehouse.edge.door;

/**
 * A relay output. {@code energised = true} means the coil is driven. What that does to the door
 * depends on the {@link LockType}; the {@link DoorController} works that out, so a relay only
 * knows its coil.
 */
public interface Relay {
    /** Drives the coil ({@code true}) or releases it. */
    void set(boolean energised);

    /** Whether the coil is driven now. */
    boolean energised();
}
