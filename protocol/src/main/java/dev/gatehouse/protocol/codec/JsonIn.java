package dev.gatehouse.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * A strict reader over one JSON object: every accessor names the field's full path in its error,
 * and {@link #end()} rejects any field that no accessor asked for.
 */
final class JsonIn {
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    JsonIn(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        this.node = node;
        this.path = path;
    }

    String path() {
        return path;
    }

    String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    private JsonNode required(String name) {
        read.add(name);
        JsonNode value = node.get(name);
        if (value == null) {
            throw new ProtocolException(ProtocolError.MISSING_FIELD, field(name) + " is missing");
        }
        if (value.isNull()) {
            throw new ProtocolException(ProtocolError.WRONG_TYPE, field(name) + " must not be null");
        }
        return value;
    }

    private Optional<JsonNode> optional(String name) {
        read.add(name);
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    String string(String name) {
        return asString(required(name), field(name));
    }

    Optional<String> optString(String name) {
        return optional(name).map(value -> asString(value, field(name)));
    }

    String id(String name) {
        return Ids.require(string(name), field(name));
    }

    <T> T id(String name, java.util.function.Function<String, T> make) {
        return make.apply(id(name));
    }

    <T> Optional<T> optId(String name, java.util.function.Function<String, T> make) {
        return optString(name).map(value -> make.apply(Ids.require(value, field(name))));
    }

    long longValue(String name) {
        return asLong(required(name), field(name));
    }

    int intValue(String name) {
        long value = longValue(name);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw bad(field(name) + " is " + value + ", outside the 32-bit integer range");
        }
        return (int) value;
    }

    boolean bool(String name) {
        JsonNode value = required(name);
        if (!value.isBoolean()) {
            throw wrongType(field(name), "true or false", value);
        }
        return value.booleanValue();
    }

    Instant instant(String name) {
        return asInstant(required(name), field(name));
    }

    Optional<Instant> optInstant(String name) {
        return optional(name).map(value -> asInstant(value, field(name)));
    }

    Duration duration(String name) {
        String text = string(name);
        try {
            Duration duration = Duration.parse(text);
            if (duration.isNegative()) {
                throw bad(field(name) + " '" + text + "' is negative");
            }
            return duration;
        } catch (DateTimeException e) {
            throw bad(field(name) + " '" + Ids.printable(text) + "' is not an ISO-8601 duration such as PT5S");
        }
    }

    ZoneId zone(String name) {
        String text = string(name);
        try {
            if (!ZoneId.getAvailableZoneIds().contains(text)) {
                throw new DateTimeException("not an IANA region id");
            }
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw bad(field(name) + " '" + Ids.printable(text)
                    + "' is not a time zone id; use an IANA name such as Europe/Berlin");
        }
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        return asEnum(required(name), field(name), type);
    }

    <E extends Enum<E>> Optional<E> optEnum(String name, Class<E> type) {
        return optional(name).map(value -> asEnum(value, field(name), type));
    }

    JsonIn object(String name) {
        return new JsonIn(required(name), field(name));
    }

    <T> List<T> list(String name, BiFunction<JsonNode, String, T> element) {
        JsonNode value = required(name);
        if (!value.isArray()) {
            throw wrongType(field(name), "an array", value);
        }
        List<T> out = new ArrayList<>(value.size());
        int index = 0;
        for (JsonNode item : value) {
            String itemPath = field(name) + "[" + index++ + "]";
            if (item.isNull()) {
                throw new ProtocolException(ProtocolError.WRONG_TYPE, itemPath + " must not be null");
            }
            out.add(element.apply(item, itemPath));
        }
        return out;
    }

    <T> Set<T> idSet(String name, java.util.function.Function<String, T> make) {
        List<T> items = list(name, (item, itemPath) -> make.apply(Ids.require(asString(item, itemPath), itemPath)));
        return Set.copyOf(items);
    }

    Set<String> stringSet(String name) {
        return Set.copyOf(list(name, JsonIn::asString));
    }

    List<String> stringList(String name) {
        return list(name, JsonIn::asString);
    }

    Set<LocalDate> dateSet(String name) {
        return Set.copyOf(dateList(name));
    }

    /** Dates {@code YYYY-MM-DD} in the order given. */
    List<LocalDate> dateList(String name) {
        return list(name, (item, itemPath) -> {
            String text = asString(item, itemPath);
            if (!DATE.matcher(text).matches()) {
                throw bad(itemPath + " '" + Ids.printable(text) + "' must be a date YYYY-MM-DD");
            }
            try {
                return LocalDate.parse(text);
            } catch (DateTimeException e) {
                throw bad(itemPath + " '" + text + "' is not a calendar date");
            }
        });
    }

    Map<String, String> stringMap(String name) {
        JsonNode value = required(name);
        if (!value.isObject()) {
            throw wrongType(field(name), "an object", value);
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            out.put(entry.getKey(), asString(entry.getValue(), field(name) + "." + entry.getKey()));
        }
        return out;
    }

    /** Rejects any field of this object that was not read. */
    void end() {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!read.contains(name)) {
                throw new ProtocolException(
                        ProtocolError.UNKNOWN_FIELD,
                        field(Ids.printable(name))
                                + " is not a field of this object; remove it (or check its spelling)");
            }
        }
    }

    static String asString(JsonNode value, String path) {
        if (!value.isTextual()) {
            throw wrongType(path, "a string", value);
        }
        return value.textValue();
    }

    static long asLong(JsonNode value, String path) {
        if (!value.isIntegralNumber()) {
            throw wrongType(path, "an integer", value);
        }
        if (!value.canConvertToLong()) {
            throw bad(path + " is outside the 64-bit integer range");
        }
        return value.longValue();
    }

    static Instant asInstant(JsonNode value, String path) {
        String text = asString(value, path);
        if (!INSTANT.matcher(text).matches()) {
            throw bad(path + " '" + Ids.printable(text) + "' must be a UTC instant like 2026-11-21T09:00:00Z");
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw bad(path + " '" + text + "' is not a valid instant");
        }
    }

    static <E extends Enum<E>> E asEnum(JsonNode value, String path, Class<E> type) {
        String text = asString(value, path);
        for (E constant : type.getEnumConstants()) {
            if (Wire.name(constant).equals(text)) {
                return constant;
            }
        }
        throw bad(path + " '" + Ids.printable(text) + "' is not one of: " + Wire.names(type));
    }

    static ProtocolException wrongType(String path, String expected, JsonNode actual) {
        String got = actual == null ? "nothing" : actual.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        return new ProtocolException(
                ProtocolError.WRONG_TYPE,
                (path.isEmpty() ? "the message" : path) + " must be " + expected + ", not " + got);
    }

    static ProtocolException bad(String message) {
        return new ProtocolException(ProtocolError.BAD_VALUE, message);
    }
}
