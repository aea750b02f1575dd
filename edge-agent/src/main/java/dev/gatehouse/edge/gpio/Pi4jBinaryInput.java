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
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A door contact or request-to-exit button on a GPIO input through Pi4J.
 *
 * <p>Polarity: active-high means the pin reads HIGH when the door is open or the button pressed;
 * {@code activeLow} inverts that. The pull resistor depends on the wiring, not on the polarity:
 * <ul>
 *   <li>a normally-open switch (a REX button, an NO contact) needs the pull that holds the pin at
 *       its inactive level, which {@link #create(Context, int, boolean)} picks (pull-down when
 *       active-high, pull-up when active-low);
 *   <li>a normally-closed contact needs the pull that makes an open contact read active, e.g. an NC
 *       contact to ground is active-high with a pull-up: give it to
 *       {@link #create(Context, int, boolean, PullResistance)}. A cut wire then reads as an open
 *       door, never as a closed one.
 * </ul>
 * A pin in an unknown state reads as not active. Pi4J's own debounce applies. Listeners run on
 * Pi4J's thread and must only hand off.
 */
public final class Pi4jBinaryInput implements BinaryInput {
    private final DigitalInput input;
    private final int bcmPin;
    private final boolean activeLow;

    private Pi4jBinaryInput(DigitalInput input, int bcmPin, boolean activeLow) {
        this.input = input;
        this.bcmPin = bcmPin;
        this.activeLow = activeLow;
    }

    /**
     * Creates the input for a normally-open switch on BCM pin {@code bcmPin} of {@code context},
     * with the pull resistor that holds it inactive.
     *
     * @throws DoorException {@link DoorError#PIN_IN_USE} when the pin is already used in this
     *     context, {@link DoorError#INPUT_FAILED} when Pi4J cannot create the input
     */
    public static Pi4jBinaryInput create(Context context, int bcmPin, boolean activeLow) {
        return create(context, bcmPin, activeLow, activeLow ? PullResistance.PULL_UP : PullResistance.PULL_DOWN);
    }

    /**
     * Creates the input on BCM pin {@code bcmPin} of {@code context} with an explicit pull resistor.
     *
     * @throws DoorException {@link DoorError#PIN_IN_USE} when the pin is already used in this
     *     context, {@link DoorError#INPUT_FAILED} when Pi4J cannot create the input
     */
    public static Pi4jBinaryInput create(Context context, int bcmPin, boolean activeLow, PullResistance pull) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(pull, "pull");
        Pi4jPins.requireFree(context, bcmPin);
        try {
            DigitalInput input = context.create(DigitalInput.newConfigBuilder(context)
                    .id("gatehouse-input-bcm" + bcmPin)
                    .name("door input on BCM " + bcmPin)
                    .address(bcmPin)
                    .pull(pull));
            return new Pi4jBinaryInput(input, bcmPin, activeLow);
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
            case HIGH -> !activeLow;
            case LOW -> activeLow;
            case UNKNOWN -> false;
        };
    }

    @Override
    public String toString() {
        return "Pi4jBinaryInput[BCM " + bcmPin + (activeLow ? ", active-low" : "") + ", " + input.state() + "]";
    }
}
