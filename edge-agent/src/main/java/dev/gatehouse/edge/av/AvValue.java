package dev.gatehouse.edge.av;

import java.util.Objects;

/**
 * A value for a room function, independent of how a controller types it: the adapter converts it to
 * the node's own data type (a {@code Numeric} lights level becomes an Int32 on one controller and a
 * Double on another) and back.
 */
public sealed interface AvValue {
    /** On or off. */
    record Switch(boolean on) implements AvValue {
        @Override
        public String describe() {
            return on ? "on" : "off";
        }
    }

    /** A number: a level, a setpoint, an input's number. */
    record Numeric(double value) implements AvValue {
        public Numeric {
            if (!Double.isFinite(value)) {
                throw new AvException(AvError.BAD_ARGUMENT, "a room value must be a finite number, not " + value);
            }
        }

        @Override
        public String describe() {
            return value == Math.rint(value) && Math.abs(value) < 1e15
                    ? Long.toString((long) value)
                    : Double.toString(value);
        }
    }

    /** Text: an input's name, a join link. */
    record Text(String text) implements AvValue {
        public Text {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String describe() {
            return "'" + text + "'";
        }
    }

    /** How the value reads in a log line or a fault: {@code on}, {@code 80}, {@code 'HDMI1'}. */
    String describe();

    static AvValue of(boolean on) {
        return new Switch(on);
    }

    static AvValue of(double value) {
        return new Numeric(value);
    }

    static AvValue of(String text) {
        return new Text(text);
    }
}
