package dev.gatehouse.edge.door;

import java.time.Duration;
import java.util.Objects;

/**
 * How a door contact or a request-to-exit button is wired to its GPIO pin, from which the pin's pull
 * resistor and the level that means "active" (door open, button pressed) follow:
 *
 * <ul>
 *   <li>{@code circuit}: whether the switch conducts at rest — door shut, button released. Door
 *       contacts are usually normally closed (a cut wire then reads as an open door), buttons
 *       normally open.
 *   <li>{@code rail}: what the switch connects the pin to while it conducts. Wiring to ground (GND)
 *       with the Pi's internal pull-up is the usual way and needs no other part.
 *   <li>{@code pull}: the Pi's internal resistor; it must pull away from the rail, or the pin never
 *       changes. {@link Pull#OFF} for an external resistor (which must pull away from the rail too).
 *   <li>{@code debounce}: how long a level must hold before it counts (the GPIO driver's debounce).
 * </ul>
 *
 * While the switch conducts the pin reads the rail; otherwise it reads the pull. So a normally-closed
 * contact to ground with a pull-up reads LOW while the door is shut and HIGH when it opens or when its
 * wire is cut.
 */
public record InputWiring(Circuit circuit, Rail rail, Pull pull, Duration debounce) {
    /** Whether the switch conducts at rest. */
    public enum Circuit {
        NORMALLY_OPEN,
        NORMALLY_CLOSED
    }

    /** Where the switch connects the pin while it conducts. */
    public enum Rail {
        GROUND,
        SUPPLY
    }

    /** The pin's internal pull resistor. */
    public enum Pull {
        UP,
        DOWN,
        OFF
    }

    /** The debounce when none is configured. */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(20);

    public InputWiring {
        Objects.requireNonNull(circuit, "circuit");
        Objects.requireNonNull(rail, "rail");
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(debounce, "debounce");
        if ((rail == Rail.GROUND && pull == Pull.DOWN) || (rail == Rail.SUPPLY && pull == Pull.UP)) {
            throw new DoorException(
                    DoorError.BAD_ARGUMENT,
                    "a switch wired to " + (rail == Rail.GROUND ? "ground" : "3.3 V") + " needs a pull "
                            + (rail == Rail.GROUND ? "up" : "down")
                            + " (or an external resistor and pull off): pulled toward its own rail the pin never"
                            + " changes");
        }
        if (debounce.isNegative() || debounce.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new DoorException(
                    DoorError.BAD_ARGUMENT, "an input debounce must be between 0 and 1s, not " + debounce);
        }
    }

    /** Wired to {@code rail} with the internal pull away from it and the default debounce. */
    public static InputWiring of(Circuit circuit, Rail rail) {
        return new InputWiring(circuit, rail, rail == Rail.GROUND ? Pull.UP : Pull.DOWN, DEFAULT_DEBOUNCE);
    }

    /** The usual door contact: normally closed, to ground, internal pull-up. */
    public static InputWiring contactToGround() {
        return of(Circuit.NORMALLY_CLOSED, Rail.GROUND);
    }

    /** The usual exit button: normally open, to ground, internal pull-up. */
    public static InputWiring buttonToGround() {
        return of(Circuit.NORMALLY_OPEN, Rail.GROUND);
    }

    /**
     * Whether the pin reads HIGH while the input is active (door open, button pressed). Active, a
     * normally-open switch conducts and the pin reads the rail; a normally-closed one does not and the
     * pin reads the pull, which points away from the rail.
     */
    public boolean activeHigh() {
        boolean railHigh = rail == Rail.SUPPLY;
        return circuit == Circuit.NORMALLY_OPEN ? railHigh : !railHigh;
    }
}
