package dev.gatehouse.edge.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.IOType;
import dev.gatehouse.edge.door.DoorError;
import dev.gatehouse.edge.door.DoorException;

/** Guards shared by the Pi4J adapters. */
final class Pi4jPins {
    private Pi4jPins() {}

    /**
     * Refuses a pin that already carries a digital input or output in {@code context}. Pi4J only
     * refuses a second I/O of the same type on an address; an input and an output on one pin would
     * fight each other on real hardware.
     */
    static void requireFree(Context context, int bcmPin) {
        if (context.registry().exists(IOType.DIGITAL_OUTPUT, bcmPin)
                || context.registry().exists(IOType.DIGITAL_INPUT, bcmPin)) {
            throw inUse(bcmPin, null);
        }
    }

    static DoorException inUse(int bcmPin, Throwable cause) {
        return new DoorException(
                DoorError.PIN_IN_USE,
                "BCM " + bcmPin + " is already used by another relay, contact or button of this agent: give each a"
                        + " pin of its own in the door configuration",
                cause);
    }
}
