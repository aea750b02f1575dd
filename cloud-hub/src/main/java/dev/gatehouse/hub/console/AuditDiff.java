package dev.gatehouse.hub.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.web.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An audit entry's before and after as a person reads them: one line per field that changed (nested
 * fields as {@code a.b}, list items as {@code a[0]}), with the old and the new value; a creation lists
 * every field it set, a deletion every field it had.
 */
public final class AuditDiff {
    /** One changed field; {@code before} or {@code after} is empty when the field was added or removed. */
    public record Change(String field, Optional<String> before, Optional<String> after) {}

    private AuditDiff() {}

    public static List<Change> of(Optional<String> before, Optional<String> after) {
        Map<String, String> old = flat(before);
        Map<String, String> now = flat(after);
        TreeSet<String> fields = new TreeSet<>(old.keySet());
        fields.addAll(now.keySet());
        List<Change> changes = new ArrayList<>();
        for (String field : fields) {
            Optional<String> was = Optional.ofNullable(old.get(field));
            Optional<String> is = Optional.ofNullable(now.get(field));
            if (!was.equals(is)) {
                changes.add(new Change(field, was, is));
            }
        }
        return changes;
    }

    private static Map<String, String> flat(Optional<String> json) {
        Map<String, String> fields = new TreeMap<>();
        if (json.isEmpty()) {
            return fields;
        }
        try {
            flatten("", Json.MAPPER.readTree(json.get()), fields);
        } catch (JsonProcessingException e) {
            fields.put("(recorded)", json.get());
        }
        return fields;
    }

    private static void flatten(String path, JsonNode node, Map<String, String> fields) {
        if (node.isObject()) {
            if (node.isEmpty() && !path.isEmpty()) {
                fields.put(path, "{}");
            }
            node.properties()
                    .forEach(entry -> flatten(
                            path.isEmpty() ? entry.getKey() : path + "." + entry.getKey(), entry.getValue(), fields));
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                fields.put(path, "[]");
            }
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), fields);
            }
        } else {
            fields.put(path.isEmpty() ? "(value)" : path, node.isNull() ? "null" : node.asText());
        }
    }
}
