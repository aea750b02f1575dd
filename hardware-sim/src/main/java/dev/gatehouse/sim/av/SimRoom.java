package dev.gatehouse.sim.av;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One room of a simulated controller: its id (the name of its folder) and which points it has, each
 * with its type. {@link #standard(String)} has every point with its default type; {@link #with} and
 * {@link #without} make the variations a real site has (no join-link node, lights as an Int32).
 */
public record SimRoom(String id, Map<AvPoint, PointType> points) {
    public SimRoom {
        Objects.requireNonNull(id, "id");
        if (id.isBlank() || id.contains("/") || id.contains(";")) {
            throw new SimAvException(SimAvError.BAD_ARGUMENT, "room id '" + id + "' must be a name without / or ;");
        }
        points = Map.copyOf(points);
        points.forEach((point, type) -> {
            boolean numeric = type != PointType.BOOLEAN && type != PointType.STRING;
            boolean fits =
                    switch (point) {
                        case DISPLAY_POWER, PRESENCE -> type == PointType.BOOLEAN || type == PointType.INT32;
                        case DISPLAY_INPUT -> type == PointType.STRING || numeric;
                        case JOIN_LINK -> type == PointType.STRING;
                        case LIGHTS_LEVEL, HVAC_SETPOINT -> numeric;
                    };
            if (!fits) {
                throw new SimAvException(SimAvError.BAD_ARGUMENT, "room " + id + ": " + point + " cannot be a " + type);
            }
        });
    }

    /** A room with every point, each of its default type. */
    public static SimRoom standard(String id) {
        Map<AvPoint, PointType> points = new EnumMap<>(AvPoint.class);
        for (AvPoint point : AvPoint.values()) {
            points.put(point, point.defaultType());
        }
        return new SimRoom(id, points);
    }

    /** This room with {@code point} of type {@code type} (added if it was missing). */
    public SimRoom with(AvPoint point, PointType type) {
        Map<AvPoint, PointType> copy = new EnumMap<>(AvPoint.class);
        copy.putAll(points);
        copy.put(point, type);
        return new SimRoom(id, copy);
    }

    /** This room without {@code point}: its controller has no node for it. */
    public SimRoom without(AvPoint point) {
        Map<AvPoint, PointType> copy = new EnumMap<>(AvPoint.class);
        copy.putAll(points);
        copy.remove(point);
        return new SimRoom(id, copy);
    }
}
