package dev.gatehouse.edge.gpio;

import com.pi4j.context.Context;
import com.pi4j.exception.Pi4JException;
import com.pi4j.io.exception.IOAlreadyExistsException;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorError;
import dev.gatehouse.edge.door.DoorException;
import dev.gatehouse.edge.door.LockOutput;
import dev.gatehouse.edge.door.Relay;
import java.util.Objects;

/**
 * A door relay on a GPIO output through Pi4J. The levels come from {@link LockOutput} (lock type ×
 * board polarity): the output is created at the locked level, so the door does not open for a moment
 * between the agent starting and its controller taking over, and Pi4J's shutdown level is the locked
 * level too, matching {@link DoorController#close()}.
 */
public final class Pi4jRelay implements Relay {
    private final DigitalOutput output;
    private final int bcmPin;
    private final LockOutput levels;

    private Pi4jRelay(DigitalOutput output, int bcmPin, LockOutput levels) {
        this.output = output;
        this.bcmPin = bcmPin;
        this.levels = levels;
    }

    /**
     * Creates the relay output on BCM pin {@code bcmPin} of {@code context}.
     *
     * @throws DoorException {@link DoorError#PIN_IN_USE} when the pin is already used in this
     *     context, {@link DoorError#RELAY_FAILED} when Pi4J cannot create the output
     */
    public static Pi4jRelay create(Context context, int bcmPin, LockOutput levels) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(levels, "levels");
        Pi4jPins.requireFree(context, bcmPin);
        try {
            DigitalOutput output = context.create(DigitalOutput.newConfigBuilder(context)
                    .id("gatehouse-relay-bcm" + bcmPin)
                    .name("door relay on BCM " + bcmPin)
                    .address(bcmPin)
                    .initial(level(levels.pinHigh(LockOutput.Phase.START)))
                    .shutdown(level(levels.pinHigh(LockOutput.Phase.SHUTDOWN))));
            return new Pi4jRelay(output, bcmPin, levels);
        } catch (IOAlreadyExistsException e) {
            throw Pi4jPins.inUse(bcmPin, e);
        } catch (Pi4JException | IllegalStateException e) {
            throw new DoorException(
                    DoorError.RELAY_FAILED,
                    "cannot set up the relay output on BCM " + bcmPin + ": " + e.getMessage()
                            + " (check that the pin exists and the agent may use the GPIO chip)",
                    e);
        }
    }

    private static DigitalState level(boolean high) {
        return high ? DigitalState.HIGH : DigitalState.LOW;
    }

    @Override
    public void set(boolean energised) {
        try {
            output.state(level(levels.pinHighFor(energised)));
        } catch (Pi4JException e) {
            throw new DoorException(
                    DoorError.RELAY_FAILED,
                    "the relay on BCM " + bcmPin + " did not switch " + (energised ? "on" : "off") + ": "
                            + e.getMessage() + " (check the GPIO chip and the relay board)",
                    e);
        }
    }

    @Override
    public boolean energised() {
        return output.state() == level(levels.pinHighFor(true));
    }

    @Override
    public String toString() {
        return "Pi4jRelay[BCM " + bcmPin + (levels.boardActiveLow() ? ", active-low board" : "") + ", " + output.state()
                + "]";
    }
}
