package dev.gatehouse.protocol.codec;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden wire files under {@code src/test/resources/golden/}, shared by the spec and the tests,
 * and edits of them for malformed-input cases. Edits go through a plain Jackson tree so that each
 * case changes exactly one thing about an otherwise valid message.
 */
final class Golden {
    static final String DIRECTORY = "/golden/";

    /** Jackson's default mapper: only builds and compares test inputs, never decodes for the codec. */
    static final ObjectMapper PLAIN = new ObjectMapper();

    private Golden() {}

    static byte[] bytes(String fileName) {
        try (InputStream in = Golden.class.getResourceAsStream(DIRECTORY + fileName)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + DIRECTORY + fileName + " on the test classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String fileName) {
        return new String(bytes(fileName), StandardCharsets.UTF_8);
    }

    static boolean exists(String fileName) {
        return Golden.class.getResource(DIRECTORY + fileName) != null;
    }

    /** The names of every file in the golden directory, sorted. */
    static List<String> fileNames() {
        URL directory = Golden.class.getResource(DIRECTORY);
        if (directory == null) {
            throw new IllegalStateException("no " + DIRECTORY + " directory on the test classpath");
        }
        try (Stream<Path> files = Files.list(Path.of(directory.toURI()))) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode tree(String fileName) {
        try {
            return (ObjectNode) PLAIN.readTree(bytes(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return PLAIN.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    /**
     * The golden file with the value at {@code pointer} replaced by (or, for a new field, set to)
     * {@code json}, and so on for each further pointer and value pair. The parent of each pointer
     * must exist, so that a typo in a case fails loudly instead of testing nothing.
     */
    static byte[] with(String fileName, String pointer, String json, String... morePointersAndValues) {
        if (morePointersAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("pointers and values come in pairs");
        }
        ObjectNode root = tree(fileName);
        set(root, fileName, pointer, json);
        for (int i = 0; i < morePointersAndValues.length; i += 2) {
            set(root, fileName, morePointersAndValues[i], morePointersAndValues[i + 1]);
        }
        return serialize(root);
    }

    private static void set(ObjectNode root, String fileName, String pointer, String json) {
        JsonPointer at = JsonPointer.compile(pointer);
        String last = at.last().getMatchingProperty();
        JsonNode value = json(json);
        switch (parent(root, at, fileName)) {
            case ObjectNode object -> object.set(last, value);
            case ArrayNode array -> array.set(index(array, last, pointer), value);
            default -> throw new IllegalArgumentException(pointer + " is not inside an object or array");
        }
    }

    /** The golden file without the field or element at {@code pointer}, which must exist. */
    static byte[] without(String fileName, String pointer) {
        ObjectNode root = tree(fileName);
        JsonPointer at = JsonPointer.compile(pointer);
        if (root.at(at).isMissingNode()) {
            throw new IllegalArgumentException(fileName + " has nothing at " + pointer + " to remove");
        }
        String last = at.last().getMatchingProperty();
        switch (parent(root, at, fileName)) {
            case ObjectNode object -> object.remove(last);
            case ArrayNode array -> array.remove(index(array, last, pointer));
            default -> throw new IllegalArgumentException(pointer + " is not inside an object or array");
        }
        return serialize(root);
    }

    private static JsonNode parent(ObjectNode root, JsonPointer at, String fileName) {
        JsonNode parent = root.at(at.head());
        if (parent.isMissingNode()) {
            throw new IllegalArgumentException(fileName + " has nothing at " + at.head());
        }
        return parent;
    }

    private static int index(ArrayNode array, String last, String pointer) {
        int index = Integer.parseInt(last);
        if (index >= array.size()) {
            throw new IllegalArgumentException(pointer + " is past the end of its array");
        }
        return index;
    }

    static byte[] serialize(JsonNode root) {
        try {
            return PLAIN.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An input rendered for a failure message: text when it is short printable UTF-8, else Base64. */
    static String describe(byte[] input) {
        int limit = 2_000;
        String text = new String(input, StandardCharsets.UTF_8);
        boolean printable =
                text.chars().allMatch(c -> c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0xfffd));
        if (printable && text.length() <= limit) {
            return input.length + " bytes: " + text;
        }
        byte[] head = input.length <= limit ? input : Arrays.copyOf(input, limit);
        return input.length + " bytes, Base64" + (input.length > limit ? " of the first " + limit : "") + ": "
                + Base64.getEncoder().encodeToString(head);
    }
}
