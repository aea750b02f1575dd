package dev.gatehouse.sim.av;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.nodes.filters.AttributeFilter;
import org.eclipse.milo.opcua.sdk.server.nodes.filters.AttributeFilterContext;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;

/**
 * One point of one room: its node's value, converted between Java and its OPC UA type, and the
 * filter every client write of it passes (a fault to play, the range a real controller enforces,
 * the write counted and reported).
 */
final class SimPoint implements AttributeFilter {
    /** Told of a client write the point applied. */
    @FunctionalInterface
    interface Applied {
        void written(String room, AvPoint point, Object value, long nanoTime);
    }

    private final String room;
    private final AvPoint point;
    private final PointType type;
    private final Applied applied;
    private final AtomicInteger writes = new AtomicInteger();
    private volatile UaVariableNode node;
    private volatile WriteFault fault = WriteFault.NONE;
    private volatile int faultsLeft;

    SimPoint(String room, AvPoint point, PointType type, Applied applied) {
        this.room = room;
        this.point = point;
        this.type = type;
        this.applied = applied;
    }

    void attach(UaVariableNode node) {
        this.node = node;
    }

    NodeId dataType() {
        return switch (type) {
            case BOOLEAN -> NodeIds.Boolean;
            case INT32 -> NodeIds.Int32;
            case UINT32 -> NodeIds.UInt32;
            case FLOAT -> NodeIds.Float;
            case DOUBLE -> NodeIds.Double;
            case STRING -> NodeIds.String;
        };
    }

    String describe() {
        String range =
                point == AvPoint.LIGHTS_LEVEL ? ", 0 to 100 %" : point == AvPoint.HVAC_SETPOINT ? ", 5 to 35 °C" : "";
        return point.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (" + type + range
                + (point.writable() ? ")" : ", read-only)");
    }

    /** Standby: display off, no input or link, lights off, 20 °C, nobody in the room. */
    Variant initialVariant() {
        return new Variant(toOpcUa(
                switch (point) {
                    case DISPLAY_POWER, PRESENCE -> false;
                    case DISPLAY_INPUT -> type == PointType.STRING ? "" : 0;
                    case JOIN_LINK -> "";
                    case LIGHTS_LEVEL -> 0;
                    case HVAC_SETPOINT -> 20;
                }));
    }

    Object value() {
        Object raw = node.getValue().value().value();
        return raw instanceof UInteger unsigned ? unsigned.longValue() : raw;
    }

    void set(Object value) {
        node.setValue(new DataValue(new Variant(toOpcUa(value))));
    }

    void fail(WriteFault fault, int times) {
        this.fault = fault;
        this.faultsLeft = times;
    }

    int writes() {
        return writes.get();
    }

    @Override
    public void writeAttribute(AttributeFilterContext ctx, AttributeId attributeId, Object value) throws UaException {
        if (attributeId != AttributeId.Value || ctx.getSession().isEmpty()) {
            ctx.writeAttribute(attributeId, value); // the server itself, or a local set()
            return;
        }
        writes.incrementAndGet();
        WriteFault now = WriteFault.NONE;
        synchronized (this) {
            if (fault != WriteFault.NONE && faultsLeft > 0) {
                now = fault;
                faultsLeft--;
            }
        }
        switch (now) {
            case REFUSE -> throw new UaException(StatusCodes.Bad_NotWritable);
            case IGNORE -> {
                return; // answered Good, but the point keeps its value
            }
            case NONE -> {}
        }
        Object written = ((DataValue) value).value().value();
        if (written instanceof Number number
                && (number.doubleValue() < point.min() || number.doubleValue() > point.max())) {
            throw new UaException(StatusCodes.Bad_OutOfRange);
        }
        ctx.writeAttribute(attributeId, value);
        applied.written(
                room, point, written instanceof UInteger unsigned ? unsigned.longValue() : written, System.nanoTime());
    }

    private Object toOpcUa(Object value) {
        try {
            return switch (type) {
                case BOOLEAN -> (Boolean) value;
                case INT32 -> value instanceof Boolean b ? (b ? 1 : 0) : ((Number) value).intValue();
                case UINT32 -> uint(((Number) value).longValue());
                case FLOAT -> ((Number) value).floatValue();
                case DOUBLE -> ((Number) value).doubleValue();
                case STRING -> (String) value;
            };
        } catch (ClassCastException | NullPointerException e) {
            throw new SimAvException(SimAvError.BAD_ARGUMENT, room + " " + point + " is a " + type + ", not " + value);
        }
    }
}
