package dev.gatehouse.edge.gpio;

import com.pi4j.context.Context;
import com.pi4j.exception.Pi4JException;
import com.pi4j.io.exception.IOAlreadyExistsException;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import dev.gatehouse.edge.door.BinaryInput;
import dev.gatehouse.edge.door.DoorError;
import dev.gatehouse.edge.door.DoorException;
import dev.gatehouse.edge.door.InputWiring;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A door contact or request-to-exit button on a GPIO input through Pi4J, set up from its
 * {@link InputWiring}: the pull resistor it asks for, which level means active (door open, button
 * pressed), and the driver's debounce. A pin in an unknown state reads as not active. Listeners run
 * on Pi4J's thread and must only hand off.
 */
public final class Pi4jBinaryInput implements BinaryInput {
    private final DigitalInput input;
    private final int bcmPin;
    private final boolean activeHigh;

    private Pi4jBinaryInput(DigitalInput input, int bcmPin, boolean activeHigh) {
        this.input = input;
        this.bcmPin = bcmPin;
        this.activeHigh = activeHigh;
    }

    /**
     * Creates the input on BCM pin {@code bcmPin} of {@code context}, wired as {@code wiring} says.
     *
     * @throws DoorException {@link DoorError#PIN_IN_USE} when the pin is already used in this
     *     context, {@link DoorError#INPUT_FAILED} when Pi4J cannot create the input
     */
    public static Pi4jBinaryInput create(Context context, int bcmPin, InputWiring wiring) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(wiring, "wiring");
        Pi4jPins.requireFree(context, bcmPin);
        try {
            DigitalInput input = context.create(DigitalInput.newConfigBuilder(context)
                    .id("gatehouse-input-bcm" + bcmPin)
                    .name("door input on BCM " + bcmPin)
                    .address(bcmPin)
                    .pull(
                            switch (wiring.pull()) {
                                case UP -> PullResistance.PULL_UP;
                                case DOWN -> PullResistance.PULL_DOWN;
                                case OFF -> PullResistance.OFF;
                            })
                    .debounce(wiring.debounce().toNanos() / 1_000, TimeUnit.MICROSECONDS));
            return new Pi4jBinaryInput(input, bcmPin, wiring.activeHigh());
        } catch (IOAlreadyExistsException e) {
            throw Pi4jPins.inUse(bcmPin, e);
        } catch (Pi4JException | IllegalStateException e) {
            throw new DoorException(
                    DoorError.INPUT_FAILED,
                    "cannot set up the input on BCM " + bcmPin + ": " + e.getMessage()
                            + " (check that the pin exists and the agent may use the GPIO chip)",
                    e);
        }
    }

    @Override
    public boolean active() {
        return isActive(input.state());
    }

    @Override
    public void onChange(Consumer<Boolean> listener) {
        Objects.requireNonNull(listener, "listener");
        input.addListener(event -> listener.accept(isActive(event.state())));
    }

    private boolean isActive(DigitalState level) {
        return switch (level) {
            case HIGH -> activeHigh;
            case LOW -> !activeHigh;
            case UNKNOWN -> false;
        };
    }

    @Override
    public String toString() {
        return "Pi4jBinaryInput[BCM " + bcmPin + (activeHigh ? ", active-high" : ", active-low") + ", " + input.state()
                + "]";
    }
}
