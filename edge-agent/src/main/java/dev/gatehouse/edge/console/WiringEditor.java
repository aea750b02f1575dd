package dev.gatehouse.edge.console;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.door.DoorException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Edits a door's wiring in the agent's YAML file, which stays the one place wiring lives: the edited
 * file is checked by {@link EdgeConfigLoader} — every rule the agent starts with (boot-unsafe relay
 * pins, a pin used twice, the UART's pins, a pull toward its own rail, an unknown reader) — and
 * written only when it passes, atomically (a temporary file beside it, renamed over it), with the
 * previous file kept as {@code <name>.previous}. The running agent keeps its wiring until it restarts.
 *
 * <p>The file is rewritten from its parsed tree: its keys and values stay, its comments do not.
 */
final class WiringEditor {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));
    private static final Pattern NUMBER = Pattern.compile("\\d{1,3}");

    private final Path file;
    private final Object writing = new Object();

    WiringEditor(Path file) {
        this.file = file.toAbsolutePath();
    }

    Path file() {
        return file;
    }

    /** The file as it is now: its configuration (or why it does not load) and its version. */
    record Loaded(Optional<EdgeConfig> config, Optional<String> problem, String version) {}

    Loaded read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return new Loaded(Optional.empty(), Optional.of("cannot read " + file + ": " + e.getMessage()), "");
        }
        try {
            EdgeConfig config = EdgeConfigLoader.parse(new String(bytes, StandardCharsets.UTF_8), file.getParent());
            return new Loaded(Optional.of(config), Optional.empty(), version(bytes));
        } catch (ConfigException | DoorException e) {
            return new Loaded(Optional.empty(), Optional.of(e.getMessage()), version(bytes));
        }
    }

    /**
     * A door's wiring as the form sends it. Pins are text: empty means none (contact and REX only),
     * anything else goes to the loader as written, which says what is wrong with it. An empty pull
     * means the default (away from the rail).
     */
    record Wiring(
            String lock,
            String relayPin,
            String relayActive,
            String contactPin,
            String contactType,
            String contactWiredTo,
            String contactPull,
            String rexPin,
            String rexType,
            String rexWiredTo,
            String rexPull,
            List<String> readers) {
        Wiring {
            readers = List.copyOf(readers);
        }
    }

    /** What became of an edit. */
    sealed interface Outcome {
        /** Written; the agent runs the old wiring until it restarts. */
        record Saved(EdgeConfig.Door door) implements Outcome {}

        /** Not written: the loader's message (or why the file could not be edited). */
        record Refused(String message) implements Outcome {}
    }

    /**
     * Writes {@code wiring} as door {@code doorId}'s, if the file is still at {@code version} (the one
     * the form was made from) and the whole edited file passes the loader.
     */
    Outcome save(String doorId, Wiring wiring, String version) {
        synchronized (writing) {
            byte[] before;
            try {
                before = Files.readAllBytes(file);
            } catch (IOException e) {
                return new Outcome.Refused("cannot read " + file + ": " + e.getMessage());
            }
            if (!version(before).equals(version)) {
                return new Outcome.Refused(file.getFileName()
                        + " changed since this form was opened (someone else saved, or it was edited by hand):"
                        + " nothing was written; open the door again to edit what it says now");
            }
            JsonNode root;
            try {
                root = YAML.readTree(before);
            } catch (JacksonException e) {
                return new Outcome.Refused(file.getFileName() + " is not valid YAML: " + e.getOriginalMessage());
            } catch (IOException e) {
                return new Outcome.Refused("cannot read " + file + ": " + e.getMessage());
            }
            Optional<ObjectNode> door = door(root, doorId);
            if (door.isEmpty()) {
                return new Outcome.Refused("no door '" + doorId + "' in " + file.getFileName());
            }
            apply(door.get(), wiring);
            String text;
            try {
                text = YAML.writeValueAsString(root);
            } catch (IOException e) {
                return new Outcome.Refused("cannot write the configuration: " + e.getMessage());
            }
            EdgeConfig checked;
            try {
                checked = EdgeConfigLoader.parse(text, file.getParent());
            } catch (ConfigException | DoorException e) {
                return new Outcome.Refused(e.getMessage());
            }
            try {
                replace(before, text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Outcome.Refused("cannot write " + file + ": " + e.getMessage()
                        + " (the agent's user needs write access to its directory)");
            }
            return new Outcome.Saved(checked.door(doorId).orElseThrow());
        }
    }

    private static Optional<ObjectNode> door(JsonNode root, String doorId) {
        if (root == null || !root.path("doors").isArray()) {
            return Optional.empty();
        }
        for (JsonNode door : root.path("doors")) {
            if (door.isObject() && doorId.equals(door.path("id").asText(null))) {
                return Optional.of((ObjectNode) door);
            }
        }
        return Optional.empty();
    }

    private static void apply(ObjectNode door, Wiring wiring) {
        put(door, "lock", wiring.lock());
        pin(door, "relay-pin", wiring.relayPin());
        put(door, "relay-active", wiring.relayActive());
        pin(door, "contact-pin", wiring.contactPin());
        put(door, "contact-type", wiring.contactType());
        put(door, "contact-wired-to", wiring.contactWiredTo());
        put(door, "contact-pull", wiring.contactPull());
        pin(door, "rex-pin", wiring.rexPin());
        put(door, "rex-type", wiring.rexType());
        put(door, "rex-wired-to", wiring.rexWiredTo());
        put(door, "rex-pull", wiring.rexPull());
        if (wiring.readers().isEmpty()) {
            door.remove("readers");
        } else {
            ArrayNode readers = door.putArray("readers");
            wiring.readers().forEach(readers::add);
        }
    }

    /** Sets a text key, or removes it when the form left it empty (the loader's default then applies). */
    private static void put(ObjectNode door, String key, String value) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            door.remove(key);
        } else {
            door.put(key, text);
        }
    }

    /** A pin as a YAML number when it is one, else as text for the loader to refuse by name. */
    private static void pin(ObjectNode door, String key, String value) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            door.remove(key);
        } else if (NUMBER.matcher(text).matches()) {
            door.put(key, Integer.parseInt(text));
        } else {
            door.put(key, text);
        }
    }

    /**
     * Replaces the file atomically, keeping its permissions: a temporary file in the same directory,
     * flushed to the disk, renamed over the old one. A power cut leaves the old file or the new one,
     * never half of either. The old one is kept beside it as {@code <name>.previous}.
     */
    private void replace(byte[] before, byte[] after) throws IOException {
        Path directory = file.getParent();
        Path temp = directory.resolve(file.getFileName() + ".console-tmp");
        Path previous = directory.resolve(file.getFileName() + ".previous");
        Set<PosixFilePermission> permissions = permissions(file);
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(permissions));
            Files.setPosixFilePermissions(temp, permissions); // the umask may have narrowed them
            write(temp, after);
            Files.deleteIfExists(previous);
            Files.createFile(previous, PosixFilePermissions.asFileAttribute(permissions));
            Files.setPosixFilePermissions(previous, permissions);
            write(previous, before);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true); // the rename itself reaches the disk
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
    }

    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return PosixFilePermissions.fromString("rw-------");
        }
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        try (FileChannel channel =
                FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            var buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    static String version(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
