package dev.gatehouse.edge.av;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ulong;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ushort;

import java.util.Objects;
import java.util.Optional;
import org.eclipse.milo.opcua.stack.core.OpcUaDataType;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;

/**
 * Converts room values to the data type a controller's node has (read from its DataType attribute)
 * and back: the client relies on nothing but the mapping and what the server says of its nodes.
 */
final class MiloValues {
    private MiloValues() {}

    /** A value that the node's data type cannot hold; the message says why. */
    static final class Unfit extends Exception {
        Unfit(String message) {
            super(message);
        }
    }

    /**
     * The Java value Milo sends for {@code value} on a node of {@code type}: a number rounded to the
     * nearest whole one for an integer node (and checked against its range), on/off as 1/0 for a
     * number node, a number as its digits for a text node.
     */
    static Object toOpcUa(AvValue value, OpcUaDataType type) throws Unfit {
        return switch (type) {
            case Boolean ->
                switch (value) {
                    case AvValue.Switch on -> on.on();
                    case AvValue.Numeric number when number.value() == 0 || number.value() == 1 -> number.value() == 1;
                    case AvValue.Numeric number -> throw unfit(value, type, "give true/false or 1/0");
                    case AvValue.Text text -> throw unfit(value, type, "give true/false or 1/0");
                };
            case SByte -> (byte) whole(value, type, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case Byte -> ubyte(whole(value, type, 0, 255));
            case Int16 -> (short) whole(value, type, Short.MIN_VALUE, Short.MAX_VALUE);
            case UInt16 -> ushort((int) whole(value, type, 0, 65_535));
            case Int32 -> (int) whole(value, type, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UInt32 -> uint(whole(value, type, 0, 4_294_967_295L));
            case Int64 -> whole(value, type, Long.MIN_VALUE, Long.MAX_VALUE);
            case UInt64 -> ulong(whole(value, type, 0, Long.MAX_VALUE));
            case Float -> (float) real(value, type);
            case Double -> real(value, type);
            case String -> text(value, type);
            case LocalizedText -> LocalizedText.english(text(value, type));
            default -> throw unfit(value, type, "the agent writes only Boolean, number and text nodes");
        };
    }

    /** The room value a node holds, if it holds one the agent understands. */
    static Optional<AvValue> fromOpcUa(Object raw) {
        return switch (raw) {
            case null -> Optional.empty();
            case Boolean on -> Optional.of(AvValue.of(on));
            case Number number -> Optional.of(AvValue.of(number.doubleValue()));
            case String text -> Optional.of(AvValue.of(text));
            case LocalizedText text -> Optional.of(AvValue.of(Objects.requireNonNullElse(text.text(), "")));
            default -> Optional.empty();
        };
    }

    /** Whether a node read back {@code read} after {@code written} was written (texts by their text only). */
    static boolean same(Object written, Object read) {
        if (written instanceof LocalizedText a && read instanceof LocalizedText b) {
            return Objects.equals(a.text(), b.text());
        }
        return Objects.equals(written, read);
    }

    /** How a value reads in a fault: {@code 80 (Int32)}, {@code 'HDMI1' (String)}. */
    static String show(Object raw) {
        return fromOpcUa(raw).map(AvValue::describe).orElse(String.valueOf(raw))
                + (raw == null ? "" : " (" + raw.getClass().getSimpleName() + ")");
    }

    /** The status code's name, e.g. {@code Bad_NotWritable}. */
    static String statusName(long code) {
        return StatusCodes.lookup(code).map(names -> names[0]).orElse(String.format("0x%08X", code));
    }

    private static long whole(AvValue value, OpcUaDataType type, long min, long max) throws Unfit {
        long whole =
                switch (value) {
                    case AvValue.Switch on -> on.on() ? 1 : 0;
                    case AvValue.Numeric number -> {
                        double rounded = Math.rint(number.value());
                        if (rounded < -9.2e18 || rounded > 9.2e18) {
                            throw unfit(value, type, "it is out of the node's range");
                        }
                        yield (long) rounded;
                    }
                    case AvValue.Text text -> {
                        try {
                            yield Long.parseLong(text.text().strip());
                        } catch (NumberFormatException e) {
                            throw unfit(value, type, "give a whole number (the controller numbers this function)");
                        }
                    }
                };
        if (whole < min || whole > max) {
            throw unfit(value, type, "the node takes " + min + " to " + max);
        }
        return whole;
    }

    private static double real(AvValue value, OpcUaDataType type) throws Unfit {
        return switch (value) {
            case AvValue.Switch on -> on.on() ? 1 : 0;
            case AvValue.Numeric number -> number.value();
            case AvValue.Text text -> {
                try {
                    yield Double.parseDouble(text.text().strip());
                } catch (NumberFormatException e) {
                    throw unfit(value, type, "give a number");
                }
            }
        };
    }

    private static String text(AvValue value, OpcUaDataType type) throws Unfit {
        return switch (value) {
            case AvValue.Text text -> text.text();
            case AvValue.Numeric number -> number.describe();
            case AvValue.Switch on -> throw unfit(value, type, "give text");
        };
    }

    private static Unfit unfit(AvValue value, OpcUaDataType type, String fix) {
        return new Unfit("the node is " + type + " and cannot take " + value.describe() + ": " + fix);
    }
}
