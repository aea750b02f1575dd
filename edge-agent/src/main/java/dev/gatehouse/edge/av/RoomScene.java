package dev.gatehouse.edge.av;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a room looks like for a booking and in standby. For a booking (from {@code warmUp} before its
 * start to its end): display on, {@code input} selected, the booking's join link, lights at
 * {@code lights}, HVAC at {@code setpoint}. In standby: display off, no join link, lights at
 * {@code standbyLights}, HVAC at {@code standbySetpoint}. An empty input or setpoint is left as it is.
 */
public record RoomScene(
        Duration warmUp,
        Optional<AvValue> input,
        double lights,
        Optional<Double> setpoint,
        double standbyLights,
        Optional<Double> standbySetpoint) {
    public static final Duration DEFAULT_WARM_UP = Duration.ofMinutes(5);
    public static final double DEFAULT_LIGHTS = 80;
    public static final double DEFAULT_STANDBY_LIGHTS = 0;

    public RoomScene {
        Objects.requireNonNull(warmUp, "warmUp");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(setpoint, "setpoint");
        Objects.requireNonNull(standbySetpoint, "standbySetpoint");
        if (warmUp.isNegative() || warmUp.compareTo(RoomAvScheduler.STANDBY_HORIZON) > 0) {
            throw new AvException(
                    AvError.BAD_ARGUMENT,
                    "the warm-up must be between 0 and " + RoomAvScheduler.STANDBY_HORIZON + ", not " + warmUp);
        }
        input.ifPresent(value -> {
            if (value instanceof AvValue.Switch) {
                throw new AvException(AvError.BAD_ARGUMENT, "an input is a name or a number, not on/off");
            }
        });
        for (double level : new double[] {lights, standbyLights}) {
            if (!(level >= 0 && level <= 100)) {
                throw new AvException(AvError.BAD_ARGUMENT, "a lights level is 0 to 100 %, not " + level);
            }
        }
    }

    /** The defaults: 5 minutes' warm-up, lights 80 % for a booking and off in standby, input and HVAC untouched. */
    public static RoomScene defaults() {
        return new RoomScene(
                DEFAULT_WARM_UP,
                Optional.empty(),
                DEFAULT_LIGHTS,
                Optional.empty(),
                DEFAULT_STANDBY_LIGHTS,
                Optional.empty());
    }
}
