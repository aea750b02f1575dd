package dev.gatehouse.edge.door;

import java.util.function.Consumer;

/**
 * A binary input: a door contact ({@code active} = door OPEN) or a request-to-exit button
 * ({@code active} = pressed). Listeners are called from the hardware library's thread and must
 * only hand off (the {@link DoorController} submits to the door's queue and returns).
 */
public interface BinaryInput {
    /** Whether the input is active now. */
    boolean active();

    /** Registers {@code listener} for every change; it receives the new active state. */
    void onChange(Consumer<Boolean> listener);
}
