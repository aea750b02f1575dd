package dev.gatehouse.sim.av;

/**
 * The points a simulated room controller exposes for each room, with where they sit in the room's
 * folder, the type they have unless a {@link SimRoom} chooses another, and whether an OPC UA client
 * may write them. The address space is documented in {@code hardware-sim/README.md}.
 */
public enum AvPoint {
    /** The display's power: on ({@code true}) or standby. */
    DISPLAY_POWER("Display/Power", PointType.BOOLEAN, true),
    /** The display's input source: a name ({@code HDMI1}) or, as an Int32, a number. */
    DISPLAY_INPUT("Display/Input", PointType.STRING, true),
    /** The meeting's join link the display's room system dials or shows. */
    JOIN_LINK("Display/JoinLink", PointType.STRING, true),
    /** The lights' level in per cent, 0 (off) to 100. */
    LIGHTS_LEVEL("Lighting/Level", PointType.DOUBLE, true),
    /** The room's HVAC setpoint in °C, 5 to 35. */
    HVAC_SETPOINT("Climate/Setpoint", PointType.DOUBLE, true),
    /** The occupancy sensor: someone is in the room. Read-only to clients; driven by the test. */
    PRESENCE("Sensors/Presence", PointType.BOOLEAN, false);

    private final String path;
    private final PointType defaultType;
    private final boolean writable;

    AvPoint(String path, PointType defaultType, boolean writable) {
        this.path = path;
        this.defaultType = defaultType;
        this.writable = writable;
    }

    /** Where the point sits under its room's folder, e.g. {@code Display/Power}. */
    public String path() {
        return path;
    }

    /** The point's type when the room does not choose another. */
    public PointType defaultType() {
        return defaultType;
    }

    /** Whether an OPC UA client may write it (the presence sensor is read-only). */
    public boolean writable() {
        return writable;
    }

    /** The lowest and highest value a numeric point accepts, as a real controller bounds them. */
    double min() {
        return this == HVAC_SETPOINT ? 5 : 0;
    }

    double max() {
        return switch (this) {
            case LIGHTS_LEVEL -> 100;
            case HVAC_SETPOINT -> 35;
            default -> Integer.MAX_VALUE;
        };
    }
}
