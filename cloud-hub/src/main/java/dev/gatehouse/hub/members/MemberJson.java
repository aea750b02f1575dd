package dev.gatehouse.hub.members;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.web.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The JSON of the members' stored text columns, so that the store handles only records: roles (a
 * sorted array of strings) and history changes ({@code {"field": {"from": …, "to": …}}}).
 */
public final class MemberJson {
    private MemberJson() {}

    /** {@code ["a","b"]}, sorted. */
    static String roles(Collection<String> roles) {
        return rolesArray(roles).toString();
    }

    /** The roles of a stored array; IllegalArgumentException when the text is not one. */
    static List<String> roles(String json) {
        List<String> roles = new ArrayList<>();
        read(json, "member roles").forEach(node -> roles.add(node.asText()));
        return roles;
    }

    /** {@code {"field": {"from": …, "to": …}, …}} in the order given. */
    static String changes(List<FieldChange> changes) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        for (FieldChange change : changes) {
            ObjectNode field = object.putObject(change.field());
            field.set("from", node(change.from()));
            field.set("to", node(change.to()));
        }
        return object.toString();
    }

    /** A stored history entry's changes, for the API to show as they are. */
    public static JsonNode changes(String json) {
        return read(json, "member history");
    }

    private static JsonNode node(Object value) {
        return switch (value) {
            case null -> Json.MAPPER.nullNode();
            case String text -> Json.MAPPER.getNodeFactory().textNode(text);
            case Collection<?> items ->
                rolesArray(items.stream().map(String::valueOf).toList());
            case Map<?, ?> map -> {
                ObjectNode object = Json.MAPPER.createObjectNode();
                map.forEach((key, item) -> object.put(String.valueOf(key), (String) item));
                yield object;
            }
            default -> throw new IllegalArgumentException("cannot show a " + value.getClass() + " in member history");
        };
    }

    private static ArrayNode rolesArray(Collection<String> roles) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        new TreeSet<>(roles).forEach(array::add);
        return array;
    }

    private static JsonNode read(String json, String what) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored " + what + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
