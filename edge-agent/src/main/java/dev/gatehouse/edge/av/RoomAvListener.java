package dev.gatehouse.edge.av;

/**
 * Where a room's scheduler reports. Called on the room's own thread: implementations hand off and
 * return (record the fault, nudge the device state), never block.
 */
public interface RoomAvListener {
    /**
     * A function of a room could not be set after its retries (or cannot be, as configured); reported
     * once until it is {@link #restored}. {@code detail} says what was wanted and what happened.
     */
    void fault(String room, RoomFunction function, String detail);

    /** A function that was at fault has been set and confirmed again. */
    void restored(String room, RoomFunction function);

    /** A value was written and confirmed by read-back. */
    default void confirmed(String room, RoomFunction function, AvValue value) {}

    /** A listener that ignores everything. */
    RoomAvListener NONE = new RoomAvListener() {
        @Override
        public void fault(String room, RoomFunction function, String detail) {}

        @Override
        public void restored(String room, RoomFunction function) {}
    };
}
