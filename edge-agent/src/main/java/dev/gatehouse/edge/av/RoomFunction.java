package dev.gatehouse.edge.av;

import java.util.Locale;
import java.util.Optional;

/**
 * What the agent can do in a meeting room through its A/V controller. Each room maps any of them to
 * a node of its controller ({@code rooms[].nodes} in the config); every one is optional.
 */
public enum RoomFunction {
    /** The display's power: on for a booking, off in standby. */
    DISPLAY_POWER,
    /** The display's input source: a name or a number, as the controller has it. */
    DISPLAY_INPUT,
    /** The meeting's join link, handed to the room's display or video system. */
    JOIN_LINK,
    /** The lights' level in per cent. */
    LIGHTS_LEVEL,
    /** The HVAC setpoint in °C. */
    HVAC_SETPOINT,
    /** The occupancy sensor; read only. */
    PRESENCE;

    /** The function's key in the config, e.g. {@code display-power}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the agent writes it (every function but the presence sensor). */
    public boolean writable() {
        return this != PRESENCE;
    }

    /** The function whose config key is {@code key}, if any. */
    public static Optional<RoomFunction> ofKey(String key) {
        for (RoomFunction function : values()) {
            if (function.key().equals(key)) {
                return Optional.of(function);
            }
        }
        return Optional.empty();
    }
}
