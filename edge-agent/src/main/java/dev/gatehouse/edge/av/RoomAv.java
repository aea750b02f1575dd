package dev.gatehouse.edge.av;

import java.util.Map;

/**
 * The rooms' A/V controllers, as the scheduler sees them: write values and learn whether they stuck,
 * read a value. Calls block the calling thread for at most the adapter's timeout (one room's thread;
 * never a door's). The adapter is {@link MiloRoomAv} (OPC UA).
 */
public interface RoomAv extends AutoCloseable {
    /**
     * Writes each value to the room's node for its function, in one request where the controller
     * allows, then reads them back: each function's outcome is {@link AvOutcome.Confirmed} only if the
     * read-back shows the value written (converted to the node's data type). Functions the room has
     * no node for are {@link AvOutcome.Misconfigured}.
     */
    Map<RoomFunction, AvOutcome> write(String room, Map<RoomFunction, AvValue> values);

    /** Reads the room's current value for {@code function} ({@link AvOutcome.Confirmed} with it). */
    AvOutcome read(String room, RoomFunction function);

    /** Disconnects from every controller. */
    @Override
    void close();
}
