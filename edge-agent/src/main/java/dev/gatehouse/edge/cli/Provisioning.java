package dev.gatehouse.edge.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.config.TrustedCas;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.sign.KeySet;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The provisioning bundle the hub issues for a device ({@code POST /api/v1/devices/{id}/provision}),
 * and what {@code gatehouse edge provision BUNDLE.json DIR} makes of it: the card key, the trusted
 * keys, the MQTT password (0600) and, if there is none yet, a {@code gatehouse.yaml} with the site and
 * hub sections. Doors need their GPIO pins, which only the technician knows: they are written
 * commented out.
 */
public final class Provisioning {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL = Pattern.compile("(tcp|ssl)://[A-Za-z0-9.\\-]+:\\d{1,5}");

    private Provisioning() {}

    public record Door(String id, String name) {}

    public record Bundle(
            String tenant,
            String site,
            String device,
            ZoneId zone,
            String mqttUrl,
            String mqttUsername,
            String mqttPassword,
            String trustedKeysJson,
            String cardKeyHex,
            List<Door> doors) {
        @Override
        public String toString() { // never the password or the card key
            return "Bundle[" + tenant + "/" + site + "/" + device + ", " + mqttUrl + "]";
        }
    }

    /** The name under which {@code enroll --ca-file} keeps the hub's CA certificates beside the config. */
    public static final String CA_FILE = "hub-ca.pem";

    /** What was written: the secrets (0600), the config if it was new, the hub's CA certificates if given. */
    public record Written(Path config, boolean configWritten, List<Path> files, Optional<Path> caFile) {}

    /** Parses and checks a bundle; every problem names its field. */
    public static Bundle parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the bundle is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the bundle must be a JSON object");
        }
        only(root, "", Set.of("tenant", "site", "device", "zone", "mqtt", "trustedKeys", "cardKey", "doors"));
        String tenant = id(root, "tenant");
        String site = id(root, "site");
        String device = id(root, "device");
        String zoneText = text(root, "zone");
        ZoneId zone;
        if (!ZoneId.getAvailableZoneIds().contains(zoneText)) {
            throw bad("zone", "'" + zoneText + "' is not an IANA time zone such as Europe/Berlin");
        }
        zone = ZoneId.of(zoneText);
        JsonNode mqtt = object(root, "mqtt");
        only(mqtt, "mqtt.", Set.of("url", "username", "password"));
        String url = text(mqtt, "url");
        if (!URL.matcher(url).matches()) {
            throw bad("mqtt.url", "'" + url + "' is not a broker URL such as tcp://hub.example.org:1883");
        }
        String username = text(mqtt, "username");
        if (!username.equals(device)) {
            throw bad("mqtt.username", "is '" + username + "' but the device is '" + device + "'; they must be equal");
        }
        String password = text(mqtt, "password");
        if (password.isBlank() || password.chars().anyMatch(Character::isWhitespace)) {
            throw bad("mqtt.password", "must be a non-empty token without spaces");
        }
        JsonNode keys = object(root, "trustedKeys");
        String keysJson = keys.toString();
        try {
            if (KeySet.parse(keysJson).isEmpty()) {
                throw bad("trustedKeys", "holds no key");
            }
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage().startsWith("trustedKeys")) {
                throw e;
            }
            throw bad("trustedKeys", "is not a public JWK set: " + e.getMessage());
        }
        String cardKey = text(root, "cardKey").strip();
        try {
            if (HexFormat.of().parseHex(cardKey).length < CardHasher.MIN_KEY_BYTES) {
                throw bad("cardKey", "is shorter than " + CardHasher.MIN_KEY_BYTES + " bytes");
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("cardKey")) {
                throw e;
            }
            throw bad("cardKey", "must be hex digits");
        }
        JsonNode doorsNode = root.get("doors");
        if (doorsNode == null || !doorsNode.isArray()) {
            throw bad("doors", "must be a list");
        }
        List<Door> doors = new ArrayList<>();
        for (int i = 0; i < doorsNode.size(); i++) {
            JsonNode door = doorsNode.get(i);
            String where = "doors[" + i + "]";
            if (!door.isObject()) {
                throw bad(where, "must be an object with id and name");
            }
            only(door, where + ".", Set.of("id", "name"));
            String id = text(door, "id", where + ".id");
            if (!Ids.isValid(id)) {
                throw bad(where + ".id", "'" + id + "' is not an id");
            }
            String name = door.hasNonNull("name") ? door.get("name").asText() : id;
            doors.add(new Door(id, name));
        }
        return new Bundle(tenant, site, device, zone, url, username, password, keysJson, cardKey, doors);
    }

    /**
     * Writes the bundle's files into {@code dir}: {@code card.key}, {@code trusted-keys.json} and
     * {@code mqtt-password} (all 0600, replaced if present: provisioning again issues a new password),
     * and {@code gatehouse.yaml} only if absent.
     */
    public static Written write(Bundle bundle, Path dir) throws IOException {
        return write(bundle, dir, "data", Optional.empty());
    }

    /**
     * {@link #write(Bundle, Path)} with {@code dataDir} as a new gatehouse.yaml's data directory, and the
     * hub's CA certificates, when given, copied to {@value #CA_FILE} (public, 0644) and named in its
     * {@code hub.ca-file}.
     */
    public static Written write(Bundle bundle, Path dir, String dataDir, Optional<TrustedCas> cas) throws IOException {
        Files.createDirectories(dir);
        Optional<Path> caFile = Optional.empty();
        if (cas.isPresent()) {
            Path copy = dir.resolve(CA_FILE);
            if (!Files.exists(copy) || !Files.isSameFile(cas.get().file(), copy)) {
                Files.copy(cas.get().file(), copy, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            }
            caFile = Optional.of(copy);
        }
        List<Path> files = new ArrayList<>();
        files.add(SecretFiles.writeOwnerOnly(dir.resolve("card.key"), bundle.cardKeyHex() + "\n"));
        files.add(SecretFiles.writeOwnerOnly(dir.resolve("trusted-keys.json"), bundle.trustedKeysJson() + "\n"));
        files.add(SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), bundle.mqttPassword() + "\n"));
        Path config = dir.resolve("gatehouse.yaml");
        boolean written = false;
        if (!Files.exists(config)) {
            try {
                Files.writeString(config, yaml(bundle, dataDir, caFile.isPresent()), StandardOpenOption.CREATE_NEW);
                written = true;
            } catch (FileAlreadyExistsException e) {
                // written meanwhile: keep it
            }
        }
        return new Written(config, written, files, caFile);
    }

    static String yaml(Bundle b, String dataDir, boolean caFile) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by `gatehouse-edge provision` or `enroll` for device ")
                .append(b.device())
                .append(".\n");
        out.append("# Every key is described in edge-agent/README.md.\n");
        out.append("site:\n");
        out.append("  tenant: ").append(b.tenant()).append('\n');
        out.append("  id: ").append(b.site()).append('\n');
        out.append("  device: ").append(b.device()).append('\n');
        out.append("  zone: ").append(b.zone().getId()).append('\n');
        out.append("data-dir: ").append(dataDir).append('\n');
        out.append("card-key-file: card.key\n");
        out.append("trusted-keys-file: trusted-keys.json\n");
        out.append("\nhub:\n");
        out.append("  mqtt-url: ").append(b.mqttUrl()).append('\n');
        out.append("  password-file: mqtt-password\n");
        if (caFile) {
            out.append("  ca-file: " + CA_FILE + "   # the hub's CA, trusted instead of the public CAs\n");
        }
        out.append("\n# The site's doors, from the hub. Set each door's lock and GPIO pins, then uncomment it:\n");
        out.append("# the agent does not start without at least one door.\n");
        out.append("doors:\n");
        int next = 0;
        for (Door door : b.doors()) {
            int pin = EdgeConfigLoader.RELAY_PINS.get(next++ % EdgeConfigLoader.RELAY_PINS.size());
            out.append("#  - id: ").append(door.id()).append('\n');
            out.append("#    name: ")
                    .append(door.name().replaceAll("[\\r\\n#]", " "))
                    .append('\n');
            out.append("#    lock: fail-secure        # or fail-safe (maglock)\n");
            out.append("#    relay-pin: ")
                    .append(pin)
                    .append("            # BCM GPIO of the lock relay (each pin once)\n");
            out.append(
                    "#    relay-active: low        # the relay board's input: low (most optocoupled boards) or high\n");
            out.append("#    readers: []\n");
        }
        out.append("\nreaders: []\n");
        return out.toString();
    }

    private static void only(JsonNode node, String prefix, Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw bad(prefix + name, "is not a field of a provisioning bundle");
            }
        }
    }

    private static JsonNode object(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isObject()) {
            throw bad(name, value == null ? "is missing" : "must be an object");
        }
        return value;
    }

    private static String text(JsonNode node, String name) {
        return text(node, name, name);
    }

    private static String text(JsonNode node, String name, String field) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw bad(field, "is missing");
        }
        if (!value.isTextual()) {
            throw bad(field, "must be text");
        }
        return value.textValue();
    }

    private static String id(JsonNode node, String name) {
        String value = text(node, name);
        if (!Ids.isValid(value)) {
            throw bad(name, "'" + value + "' must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        return value;
    }

    private static IllegalArgumentException bad(String field, String message) {
        return new IllegalArgumentException(field + ": " + message);
    }
}
