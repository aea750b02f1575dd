package dev.gatehouse.protocol.codec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Builds one JSON object in field order; optional values are left out when empty, sets are written sorted. */
final class JsonOut {
    private final ObjectNode node;

    JsonOut() {
        this(JsonNodeFactory.instance.objectNode());
    }

    private JsonOut(ObjectNode node) {
        this.node = node;
    }

    ObjectNode node() {
        return node;
    }

    JsonOut put(String name, String value) {
        node.put(name, value);
        return this;
    }

    JsonOut put(String name, Object idOrText) {
        node.put(name, idOrText.toString());
        return this;
    }

    JsonOut put(String name, long value) {
        node.put(name, value);
        return this;
    }

    JsonOut put(String name, boolean value) {
        node.put(name, value);
        return this;
    }

    JsonOut put(String name, Enum<?> value) {
        node.put(name, Wire.name(value));
        return this;
    }

    JsonOut put(String name, Instant value) {
        node.put(name, DateTimeFormatter.ISO_INSTANT.format(value));
        return this;
    }

    JsonOut put(String name, Duration value) {
        node.put(name, value.toString());
        return this;
    }

    JsonOut put(String name, JsonOut child) {
        node.set(name, child.node);
        return this;
    }

    JsonOut optChild(String name, Optional<JsonOut> child) {
        child.ifPresent(value -> node.set(name, value.node));
        return this;
    }

    JsonOut opt(String name, Optional<?> value) {
        if (value.isPresent()) {
            Object present = value.get();
            switch (present) {
                case Instant instant -> put(name, instant);
                case Enum<?> constant -> put(name, constant);
                default -> put(name, present.toString());
            }
        }
        return this;
    }

    /** Writes the values' string forms, sorted, so that sets encode the same way every time. */
    JsonOut sorted(String name, Collection<?> values) {
        ArrayNode array = node.putArray(name);
        values.stream().map(Object::toString).sorted().forEach(array::add);
        return this;
    }

    JsonOut strings(String name, Collection<String> values) {
        ArrayNode array = node.putArray(name);
        values.forEach(array::add);
        return this;
    }

    /** Writes the strings only when there are some: an optional list that older readers do not know. */
    JsonOut optStrings(String name, Collection<String> values) {
        return values.isEmpty() ? this : strings(name, values);
    }

    JsonOut objects(String name, Collection<JsonOut> values) {
        ArrayNode array = node.putArray(name);
        values.forEach(value -> array.add(value.node));
        return this;
    }

    JsonOut map(String name, Map<String, String> values) {
        ObjectNode child = node.putObject(name);
        new TreeMap<>(values).forEach(child::put);
        return this;
    }
}
