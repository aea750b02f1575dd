package dev.gatehouse.edge.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gatehouse.edge.av.AvValue;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.edge.av.RoomScene;
import dev.gatehouse.edge.door.DoorException;
import dev.gatehouse.edge.door.InputWiring;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.TimeWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks the agent's YAML configuration. Anything wrong — a missing or unknown key, a
 * wrong type, a bad value, a pin used twice, a door naming a reader that does not exist — is a
 * {@link ConfigException} naming the key, and nothing starts.
 */
public final class EdgeConfigLoader {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Set<Integer> BCM_PINS =
            Set.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);

    /**
     * Pins a relay may use, best first: none is pulled up or toggled while the Pi boots, so no relay
     * clicks on before the agent claims it. Refused: 2-3 (I2C, with pull-up resistors on the board),
     * 4-8 (pulled up at boot), 14-15 (the UART: it toggles at boot, and a PN532 may sit on it).
     */
    public static final List<Integer> RELAY_PINS =
            List.of(17, 27, 22, 23, 24, 25, 16, 26, 12, 13, 18, 19, 20, 21, 9, 10, 11);
    /** The Pi's own serial port: a reader on it owns GPIO 14 (TXD) and 15 (RXD). */
    private static final Set<String> UART_PORTS = Set.of("/dev/serial0", "/dev/ttyS0", "/dev/ttyAMA0");

    private EdgeConfigLoader() {}

    private static String whyNotForARelay(int pin) {
        if (pin == 2 || pin == 3) {
            return "it is the I2C bus, with pull-up resistors on the Pi: the relay would switch on while the Pi"
                    + " boots, before the agent runs";
        }
        if (pin <= 8) {
            return "it is pulled up while the Pi boots, before the agent runs: the relay would switch at every"
                    + " boot";
        }
        return "it is the Pi's serial port (UART), which toggles while the Pi boots and which a PN532 reader may"
                + " use";
    }

    public static EdgeConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read the configuration file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toAbsolutePath().getParent());
    }

    /** Parses configuration text; relative paths are resolved against {@code baseDir}. */
    public static EdgeConfig parse(String yaml, Path baseDir) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JacksonException e) {
            String where =
                    e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new ConfigException("", "the file is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(
                    "", "the file must be a YAML mapping with the keys site, data-dir, doors, readers");
        }
        Node config = new Node(root, "");
        Node siteNode = config.object("site");
        Optional<String> guestWifi = siteNode.optString("guest-wifi");
        if (guestWifi.isPresent()
                && (guestWifi.get().isBlank()
                        || guestWifi.get().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                                > EdgeConfig.Site.MAX_GUEST_WIFI
                        || guestWifi.get().chars().anyMatch(Character::isISOControl))) {
            throw new ConfigException(
                    siteNode.field("guest-wifi"),
                    "give the guest Wi-Fi network's name as visitors see it: 1-" + EdgeConfig.Site.MAX_GUEST_WIFI
                            + " bytes, no control characters");
        }
        EdgeConfig.Site site = new EdgeConfig.Site(
                siteNode.id("tenant"), siteNode.id("id"), siteNode.id("device"), siteNode.zone("zone"), guestWifi);
        siteNode.end();
        Path dataDir = config.path("data-dir", baseDir);
        Path cardKeyFile = config.path("card-key-file", baseDir);
        Path trustedKeysFile = config.path("trusted-keys-file", baseDir);
        Duration clockTolerance = config.optDuration("clock-tolerance").orElse(Duration.ofSeconds(5));
        Optional<String> clockTrustedSource = config.optString("clock-trusted-source");
        if (clockTrustedSource.isPresent() && clockTrustedSource.get().isBlank()) {
            throw new ConfigException(
                    "clock-trusted-source",
                    "give a command that exits 0 when the clock is synchronised, e.g. 'chronyc waitsync 1'");
        }

        List<EdgeConfig.Reader> readers = new ArrayList<>();
        Set<String> readerIds = new HashSet<>();
        for (Node node : config.list("readers")) {
            EdgeConfig.Reader reader = reader(node);
            if (!readerIds.add(reader.id())) {
                throw new ConfigException(node.field("id"), "reader id '" + reader.id() + "' is used twice");
            }
            readers.add(reader);
        }
        Optional<String> uartReader = readers.stream()
                .filter(reader -> reader.port().filter(UART_PORTS::contains).isPresent())
                .map(EdgeConfig.Reader::id)
                .findFirst();
        List<EdgeConfig.Door> doors = new ArrayList<>();
        Set<String> doorIds = new HashSet<>();
        Set<Integer> pins = new HashSet<>();
        Set<String> claimedReaders = new HashSet<>();
        List<Node> doorNodes = config.list("doors");
        if (doorNodes.isEmpty()) {
            throw new ConfigException("doors", "list at least one door");
        }
        for (Node node : doorNodes) {
            EdgeConfig.Door door = door(node);
            if (!doorIds.add(door.id())) {
                throw new ConfigException(node.field("id"), "door id '" + door.id() + "' is used twice");
            }
            if (!RELAY_PINS.contains(door.relayPin())) {
                int free = RELAY_PINS.stream()
                        .filter(pin -> !pins.contains(pin)
                                && !door.contactPin().equals(Optional.of(pin))
                                && !door.rexPin().equals(Optional.of(pin)))
                        .findFirst()
                        .orElse(RELAY_PINS.getFirst());
                throw new ConfigException(
                        node.field("relay-pin"),
                        "GPIO " + door.relayPin() + " is unsafe for a relay: " + whyNotForARelay(door.relayPin())
                                + "; use GPIO " + free + " (free here) or another of " + RELAY_PINS);
            }
            if (uartReader.isPresent()) {
                for (var input :
                        List.of(Map.entry("contact-pin", door.contactPin()), Map.entry("rex-pin", door.rexPin()))) {
                    if (input.getValue().filter(pin -> pin == 14 || pin == 15).isPresent()) {
                        throw new ConfigException(
                                node.field(input.getKey()),
                                "GPIO " + input.getValue().get() + " is the serial port that reader '"
                                        + uartReader.get() + "' uses: wire this input to another pin");
                    }
                }
            }
            claimPin(pins, door.relayPin(), node.field("relay-pin"));
            door.contactPin().ifPresent(pin -> claimPin(pins, pin, node.field("contact-pin")));
            door.rexPin().ifPresent(pin -> claimPin(pins, pin, node.field("rex-pin")));
            for (int i = 0; i < door.readers().size(); i++) {
                String reader = door.readers().get(i);
                String key = node.field("readers") + "[" + i + "]";
                if (!readerIds.contains(reader)) {
                    throw new ConfigException(
                            key,
                            "reader '" + reader + "' is not defined under readers (defined: "
                                    + readerIds.stream().sorted().toList() + ")");
                }
                if (!claimedReaders.add(reader)) {
                    throw new ConfigException(key, "reader '" + reader + "' already belongs to another door");
                }
            }
            doors.add(door);
        }
        List<EdgeConfig.FireRelease> fireReleases = new ArrayList<>();
        if (config.has("fire-release")) {
            Set<String> fireIds = new HashSet<>();
            for (Node node : config.list("fire-release")) {
                EdgeConfig.FireRelease input = fireRelease(node, doorIds);
                if (!fireIds.add(input.id())) {
                    throw new ConfigException(node.field("id"), "fire-release id '" + input.id() + "' is used twice");
                }
                if (uartReader.isPresent() && (input.pin() == 14 || input.pin() == 15)) {
                    throw new ConfigException(
                            node.field("pin"),
                            "GPIO " + input.pin() + " is the serial port that reader '" + uartReader.get()
                                    + "' uses: wire this input to another pin");
                }
                claimPin(pins, input.pin(), node.field("pin"));
                fireReleases.add(input);
            }
        }
        Optional<EdgeConfig.Hub> hub =
                config.has("hub") ? Optional.of(hub(config.object("hub"), baseDir)) : Optional.empty();
        Optional<EdgeConfig.LocalConsole> localConsole = config.has("local-console")
                ? Optional.of(localConsole(config.object("local-console"), baseDir))
                : Optional.empty();
        List<EdgeConfig.Room> rooms = new ArrayList<>();
        if (config.has("rooms")) {
            Set<String> roomIds = new HashSet<>();
            Map<String, String> roomOfDoor = new java.util.HashMap<>();
            for (Node node : config.list("rooms")) {
                EdgeConfig.Room room = room(node, doorIds);
                if (!roomIds.add(room.id())) {
                    throw new ConfigException(node.field("id"), "room id '" + room.id() + "' is used twice");
                }
                for (int i = 0; i < room.doors().size(); i++) {
                    String other = roomOfDoor.putIfAbsent(room.doors().get(i), room.id());
                    if (other != null) {
                        throw new ConfigException(
                                node.field("doors") + "[" + i + "]",
                                "door '" + room.doors().get(i) + "' already belongs to room '" + other + "'");
                    }
                }
                rooms.add(room);
            }
        }
        config.end();
        return new EdgeConfig(
                site,
                dataDir,
                cardKeyFile,
                trustedKeysFile,
                clockTolerance,
                clockTrustedSource,
                doors,
                readers,
                hub,
                fireReleases,
                localConsole,
                rooms);
    }

    /**
     * A {@code rooms} entry: {@code id}, {@code name}, the {@code doors} it covers, its
     * {@code controller} (an {@code opc.tcp://} endpoint), the {@code nodes} of its functions (each
     * optional, at least one) and its {@code scene} and {@code standby} values. A scene value for a
     * function the room has no node for is refused: it could never be set.
     */
    private static EdgeConfig.Room room(Node node, Set<String> doorIds) {
        String id = node.id("id");
        String name = node.optString("name").orElse(id);
        List<String> doors = node.has("doors") ? knownDoors(node, doorIds) : List.of();
        String controller = node.string("controller");
        Optional<String> problem = dev.gatehouse.protocol.model.Room.endpointProblem(controller);
        if (problem.isPresent()) {
            throw new ConfigException(node.field("controller"), problem.get());
        }
        Map<RoomFunction, String> nodes = roomNodes(node.object("nodes"));
        RoomScene scene = scene(node, nodes);
        node.end();
        return new EdgeConfig.Room(id, name, doors, controller, nodes, scene);
    }

    private static Map<RoomFunction, String> roomNodes(Node node) {
        Map<RoomFunction, String> nodes = new java.util.EnumMap<>(RoomFunction.class);
        List<String> known = java.util.Arrays.stream(RoomFunction.values())
                .map(RoomFunction::key)
                .toList();
        Iterator<String> names = node.json.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            RoomFunction function = RoomFunction.ofKey(key)
                    .orElseThrow(
                            () -> new ConfigException(node.field(key), "is not a room function; use any of " + known));
            String text = node.string(key).strip();
            Optional<String> problem = dev.gatehouse.protocol.model.Room.nodeIdProblem(text);
            if (problem.isPresent()) {
                throw new ConfigException(node.field(key), problem.get());
            }
            nodes.put(function, text);
        }
        if (nodes.isEmpty()) {
            throw new ConfigException(
                    node.path,
                    "map at least one function to its node, e.g. display-power: ns=2;s=room-1/Display/Power");
        }
        return nodes;
    }

    /** The {@code scene} (a booking's values) and {@code standby} sections of a room, both optional. */
    private static RoomScene scene(Node room, Map<RoomFunction, String> nodes) {
        RoomScene defaults = RoomScene.defaults();
        Duration warmUp = defaults.warmUp();
        Optional<AvValue> input = Optional.empty();
        double lights = defaults.lights();
        Optional<Double> setpoint = Optional.empty();
        if (room.has("scene")) {
            Node scene = room.object("scene");
            warmUp = bounded(
                    scene, "warm-up", warmUp, Duration.ZERO, dev.gatehouse.edge.av.RoomAvScheduler.STANDBY_HORIZON);
            if (scene.has("input")) {
                mapped(scene, "input", nodes, RoomFunction.DISPLAY_INPUT);
                JsonNode value = scene.json.get("input");
                if (value.isTextual() && !value.textValue().isBlank()) {
                    input = Optional.of(AvValue.of(value.textValue()));
                } else if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 0) {
                    input = Optional.of(AvValue.of(value.intValue()));
                } else {
                    throw new ConfigException(
                            scene.field("input"),
                            "give the input's name as the controller has it (HDMI1) or its number (1)");
                }
            }
            if (scene.has("lights")) {
                mapped(scene, "lights", nodes, RoomFunction.LIGHTS_LEVEL);
                lights = scene.number("lights", 0, 100, "%");
            }
            if (scene.has("setpoint")) {
                mapped(scene, "setpoint", nodes, RoomFunction.HVAC_SETPOINT);
                setpoint = Optional.of(scene.number("setpoint", 5, 35, "°C"));
            }
            scene.end();
        }
        double standbyLights = defaults.standbyLights();
        Optional<Double> standbySetpoint = Optional.empty();
        if (room.has("standby")) {
            Node standby = room.object("standby");
            if (standby.has("lights")) {
                mapped(standby, "lights", nodes, RoomFunction.LIGHTS_LEVEL);
                standbyLights = standby.number("lights", 0, 100, "%");
            }
            if (standby.has("setpoint")) {
                mapped(standby, "setpoint", nodes, RoomFunction.HVAC_SETPOINT);
                standbySetpoint = Optional.of(standby.number("setpoint", 5, 35, "°C"));
            }
            standby.end();
        }
        return new RoomScene(warmUp, input, lights, setpoint, standbyLights, standbySetpoint);
    }

    /** Refuses a scene value for a function the room maps no node for: it could never be set. */
    private static void mapped(Node node, String key, Map<RoomFunction, String> nodes, RoomFunction function) {
        if (!nodes.containsKey(function)) {
            throw new ConfigException(
                    node.field(key),
                    "the room maps no node for " + function.key() + ", so this could never be set: add nodes."
                            + function.key() + " or remove this key");
        }
    }

    private static final Pattern LISTEN = Pattern.compile("(\\[[0-9A-Fa-f:]+\\]|[A-Za-z0-9.\\-]+):(\\d{1,5})");

    /**
     * The {@code local-console} section: {@code listen} (host:port, required: no default address may
     * put the console on the LAN unasked), {@code password-file} and {@code session-idle}. The password
     * file is not read here: {@code console-password} writes it, and the console reads it at each
     * sign-in.
     */
    private static EdgeConfig.LocalConsole localConsole(Node node, Path baseDir) {
        String listen = node.string("listen");
        Matcher matcher = LISTEN.matcher(listen);
        if (!matcher.matches()) {
            throw new ConfigException(
                    node.field("listen"),
                    "'" + listen + "' is not host:port; write e.g. 127.0.0.1:8081 (this Pi only) or the Pi's LAN"
                            + " address, e.g. 192.168.1.20:8081");
        }
        int port = Integer.parseInt(matcher.group(2));
        if (port > 65535) {
            throw new ConfigException(node.field("listen"), "port " + port + " is outside 0-65535");
        }
        Path passwordFile = node.has("password-file")
                ? node.path("password-file", baseDir)
                : (baseDir == null
                        ? Path.of(EdgeConfig.LocalConsole.DEFAULT_PASSWORD_FILE)
                        : baseDir.resolve(EdgeConfig.LocalConsole.DEFAULT_PASSWORD_FILE));
        Duration idle = bounded(
                node,
                "session-idle",
                EdgeConfig.LocalConsole.DEFAULT_SESSION_IDLE,
                Duration.ofMinutes(1),
                Duration.ofHours(12));
        node.end();
        return new EdgeConfig.LocalConsole(matcher.group(1), port, passwordFile, idle);
    }

    /**
     * A {@code fire-release} entry: {@code id}, {@code pin}, the switch's {@code type} (default
     * normally-closed: the fire panel's alarm relay opens, and so does a cut wire), {@code wired-to},
     * {@code pull}, {@code debounce} and the {@code doors} it releases.
     */
    private static EdgeConfig.FireRelease fireRelease(Node node, Set<String> doorIds) {
        String id = node.id("id");
        int pin = node.pin("pin");
        Duration debounce = node.optDuration("debounce").orElse(InputWiring.DEFAULT_DEBOUNCE);
        if (debounce.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new ConfigException(node.field("debounce"), "must be between 0 and 1s, not " + debounce);
        }
        InputWiring wiring = inputWiring(node, "", InputWiring.Circuit.NORMALLY_CLOSED, debounce);
        List<String> doors = knownDoors(node, doorIds);
        if (doors.isEmpty()) {
            throw new ConfigException(node.field("doors"), "name at least one door that this input releases");
        }
        node.end();
        return new EdgeConfig.FireRelease(id, pin, wiring, doors);
    }

    /** The entry's {@code doors}: a list of ids of doors defined under {@code doors}. */
    private static List<String> knownDoors(Node node, Set<String> doorIds) {
        List<String> doors = node.idList("doors", "door");
        for (int i = 0; i < doors.size(); i++) {
            if (!doorIds.contains(doors.get(i))) {
                throw new ConfigException(
                        node.field("doors") + "[" + i + "]",
                        "door '" + doors.get(i) + "' is not defined under doors (defined: "
                                + doorIds.stream().sorted().toList() + ")");
            }
        }
        return doors;
    }

    private static final Pattern MQTT_URL =
            Pattern.compile("(tcp|ssl)://[A-Za-z0-9.\\-]+(\\[[0-9A-Fa-f:]+\\])?:\\d{1,5}");

    private static EdgeConfig.Hub hub(Node node, Path baseDir) {
        String url = node.string("mqtt-url");
        if (!MQTT_URL.matcher(url).matches()) {
            throw new ConfigException(
                    node.field("mqtt-url"), "'" + url + "' is not a broker URL; write e.g. tcp://hub.example.org:1883");
        }
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            throw new ConfigException(node.field("mqtt-url"), "port " + port + " is outside 1-65535");
        }
        Path passwordFile = node.path("password-file", baseDir);
        String password;
        try {
            password = Files.readString(passwordFile).strip();
        } catch (IOException e) {
            throw new ConfigException(
                    node.field("password-file"), "cannot read " + passwordFile + ": " + e.getMessage(), e);
        }
        if (password.isEmpty()) {
            throw new ConfigException(
                    node.field("password-file"), passwordFile + " is empty; it must hold the device's MQTT password");
        }
        SecretFiles.requireOwnerOnly(passwordFile, node.field("password-file"));
        Duration keepAlive = bounded(
                node, "keep-alive", EdgeConfig.Hub.DEFAULT_KEEP_ALIVE, Duration.ofSeconds(5), Duration.ofHours(18));
        Duration sessionExpiry = bounded(
                node,
                "session-expiry",
                EdgeConfig.Hub.DEFAULT_SESSION_EXPIRY,
                Duration.ofMinutes(1),
                Duration.ofSeconds(0xFFFFFFFEL));
        Duration reconnectMin = bounded(
                node,
                "reconnect-min",
                EdgeConfig.Hub.DEFAULT_RECONNECT_MIN,
                Duration.ofMillis(10),
                Duration.ofHours(1));
        Duration reconnectMax = bounded(
                node,
                "reconnect-max",
                EdgeConfig.Hub.DEFAULT_RECONNECT_MAX,
                Duration.ofMillis(10),
                Duration.ofHours(1));
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new ConfigException(
                    node.field("reconnect-max"),
                    "must be at least reconnect-min (" + reconnectMin + "), not " + reconnectMax);
        }
        Duration ackTimeout = bounded(
                node, "ack-timeout", EdgeConfig.Hub.DEFAULT_ACK_TIMEOUT, Duration.ofMillis(100), Duration.ofHours(1));
        int inFlight = EdgeConfig.Hub.DEFAULT_IN_FLIGHT;
        if (node.has("in-flight")) {
            JsonNode value = node.json.get("in-flight");
            if (!value.isInt() || value.intValue() < 1 || value.intValue() > 1000) {
                throw new ConfigException(
                        node.field("in-flight"), "'" + value.asText() + "' must be a number from 1 to 1000");
            }
            inFlight = value.intValue();
        }
        Duration stateInterval = bounded(
                node,
                "state-interval",
                EdgeConfig.Hub.DEFAULT_STATE_INTERVAL,
                Duration.ofSeconds(1),
                Duration.ofHours(1));
        Optional<Path> caFile = Optional.empty();
        if (node.has("ca-file")) {
            // Read now, so that a bad file stops the start with the key, not a link that never comes up.
            caFile = Optional.of(TrustedCas.read(node.path("ca-file", baseDir), node.field("ca-file"))
                    .file());
        }
        node.end();
        return new EdgeConfig.Hub(
                url,
                passwordFile,
                keepAlive,
                sessionExpiry,
                reconnectMin,
                reconnectMax,
                ackTimeout,
                inFlight,
                stateInterval,
                caFile);
    }

    private static Duration bounded(Node node, String key, Duration fallback, Duration min, Duration max) {
        Duration value = node.optDuration(key).orElse(fallback);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new ConfigException(node.field(key), "must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    private static void claimPin(Set<Integer> pins, int pin, String key) {
        if (!pins.add(pin)) {
            throw new ConfigException(
                    key, "GPIO " + pin + " is already used by another relay, contact, REX or fire-release input");
        }
    }

    private static EdgeConfig.Door door(Node node) {
        String id = node.id("id");
        String name = node.optString("name").orElse(id);
        EdgeConfig.Lock lock = node.enumValue("lock", EdgeConfig.Lock.class);
        int relayPin = node.pin("relay-pin");
        if (!node.has("relay-active")) {
            throw new ConfigException(
                    node.field("relay-active"),
                    "is missing: say whether the relay board switches its coil on a high or a low input (high"
                            + " or low). Boards sold as 'low level trigger', or with an H/L jumper set to L, are"
                            + " low; most optocoupled boards are. The wrong one unlocks a strike at rest");
        }
        boolean relayActiveLow = node.enumValue("relay-active", RelayActive.class) == RelayActive.LOW;
        if (node.has("contact-normally-closed")) {
            throw new ConfigException(
                    node.field("contact-normally-closed"),
                    "was replaced by contact-type (normally-closed or normally-open) and contact-wired-to (ground"
                            + " or 3v3): see the wiring section of edge-agent/README.md");
        }
        Duration debounce = node.optDuration("input-debounce").orElse(InputWiring.DEFAULT_DEBOUNCE);
        if (debounce.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new ConfigException(node.field("input-debounce"), "must be between 0 and 1s, not " + debounce);
        }
        Optional<Integer> contactPin =
                node.has("contact-pin") ? Optional.of(node.pin("contact-pin")) : Optional.empty();
        InputWiring contact = inputWiring(node, "contact", InputWiring.Circuit.NORMALLY_CLOSED, debounce);
        Optional<Integer> rexPin = node.has("rex-pin") ? Optional.of(node.pin("rex-pin")) : Optional.empty();
        InputWiring rex = inputWiring(node, "rex", InputWiring.Circuit.NORMALLY_OPEN, debounce);
        boolean rexUnlocks = node.optBool("rex-unlocks").orElse(true);
        Duration pulse = node.optDuration("unlock-pulse").orElse(Duration.ofSeconds(5));
        if (pulse.compareTo(Duration.ofSeconds(1)) < 0 || pulse.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigException(node.field("unlock-pulse"), "must be between 1s and 5m, not " + pulse);
        }
        Duration heldOpen = node.optDuration("held-open-after").orElse(Duration.ofSeconds(30));
        if (heldOpen.compareTo(pulse) < 0) {
            throw new ConfigException(
                    node.field("held-open-after"),
                    "must be at least the unlock pulse (" + pulse + "), not " + heldOpen);
        }
        List<EdgeConfig.UnlockWindow> windows = new ArrayList<>();
        if (node.has("unlock-windows")) {
            for (Node window : node.list("unlock-windows")) {
                windows.add(window(window));
            }
        }
        List<String> readers = node.has("readers") ? node.idList("readers", "reader") : List.of();
        node.end();
        return new EdgeConfig.Door(
                id,
                name,
                lock,
                relayPin,
                relayActiveLow,
                contactPin,
                contact,
                rexPin,
                rex,
                rexUnlocks,
                pulse,
                heldOpen,
                windows,
                readers);
    }

    /** A relay board's input polarity, as written in the config. */
    private enum RelayActive {
        HIGH,
        LOW
    }

    /**
     * A contact's or button's wiring: {@code <name>-type}, {@code <name>-wired-to} and {@code <name>-pull},
     * or {@code type}, {@code wired-to} and {@code pull} when {@code name} is empty.
     */
    private static InputWiring inputWiring(Node node, String name, InputWiring.Circuit circuit, Duration debounce) {
        String prefix = name.isEmpty() ? "" : name + "-";
        if (node.has(prefix + "type")) {
            circuit = node.enumValue(prefix + "type", InputWiring.Circuit.class);
        }
        InputWiring.Rail rail = InputWiring.Rail.GROUND;
        String wiredTo = prefix + "wired-to";
        if (node.has(wiredTo)) {
            rail = switch (node.string(wiredTo)) {
                case "ground" -> InputWiring.Rail.GROUND;
                case "3v3" -> InputWiring.Rail.SUPPLY;
                default ->
                    throw new ConfigException(
                            node.field(wiredTo),
                            "'" + node.string(wiredTo) + "' is not one of [ground, 3v3]: the pin the switch's other"
                                    + " wire goes to (GND or 3.3 V)");
            };
        }
        InputWiring.Pull pull = rail == InputWiring.Rail.GROUND ? InputWiring.Pull.UP : InputWiring.Pull.DOWN;
        if (node.has(prefix + "pull")) {
            pull = node.enumValue(prefix + "pull", InputWiring.Pull.class);
        }
        try {
            return new InputWiring(circuit, rail, pull, debounce);
        } catch (DoorException e) {
            throw new ConfigException(node.field(prefix + "pull"), e.getMessage());
        }
    }

    private static EdgeConfig.UnlockWindow window(Node node) {
        List<DayOfWeek> days = new ArrayList<>();
        List<Node> dayNodes = node.list("days");
        for (int i = 0; i < dayNodes.size(); i++) {
            JsonNode value = dayNodes.get(i).json;
            String key = node.field("days") + "[" + i + "]";
            if (!value.isTextual()) {
                throw new ConfigException(key, "must be a day name such as monday");
            }
            try {
                days.add(DayOfWeek.valueOf(value.textValue().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, "'" + value.textValue() + "' is not a day; use monday … sunday");
            }
        }
        if (days.isEmpty()) {
            throw new ConfigException(node.field("days"), "list at least one day");
        }
        String from = node.string("from");
        String to = node.string("to");
        try {
            for (DayOfWeek day : days) {
                TimeWindow.of(day, from, to);
            }
        } catch (RuntimeException e) {
            throw new ConfigException(node.field("from"), e.getMessage() + " (from/to are HH:MM, from before to)");
        }
        node.end();
        return new EdgeConfig.UnlockWindow(days, from, to);
    }

    private static EdgeConfig.Reader reader(Node node) {
        String id = node.id("id");
        if (KEYBOARD_TYPES.contains(node.string("type"))) {
            throw keyboardMode(node.field("type"));
        }
        EdgeConfig.ReaderType type = node.enumValue("type", EdgeConfig.ReaderType.class);
        Optional<String> port = node.optString("port");
        if (port.filter(value -> value.startsWith("/dev/input/")).isPresent()) {
            throw keyboardMode(node.field("port"));
        }
        int baudRate = node.has("baud-rate")
                ? node.integer("baud-rate")
                : type == EdgeConfig.ReaderType.SERIAL_QR ? EdgeConfig.Reader.DEFAULT_QR_BAUD_RATE : PN532_BAUD_RATE;
        if (!BAUD_RATES.contains(baudRate)) {
            throw new ConfigException(
                    node.field("baud-rate"), baudRate + " is not a serial line speed; use one of " + BAUD_RATES);
        }
        if (node.has("baud-rate") && type != EdgeConfig.ReaderType.SERIAL_QR) {
            throw new ConfigException(
                    node.field("baud-rate"),
                    "only a serial-qr scanner has a line speed to set (a PN532 talks at 115200 baud)");
        }
        Optional<String> command = node.optString("capture-command");
        EdgeConfig.LineEnding lineEnding = node.has("line-ending")
                ? node.enumValue("line-ending", EdgeConfig.LineEnding.class)
                : EdgeConfig.LineEnding.CRLF;
        if (node.has("line-ending") && type != EdgeConfig.ReaderType.SERIAL_QR) {
            throw new ConfigException(
                    node.field("line-ending"), "only a serial-qr scanner sends lines; remove the key here");
        }
        Duration presenceCheck = bounded(
                node,
                "presence-check",
                EdgeConfig.Reader.DEFAULT_PRESENCE_CHECK,
                Duration.ofMillis(100),
                Duration.ofMinutes(1));
        if (node.has("presence-check") && type != EdgeConfig.ReaderType.SERIAL_QR) {
            throw new ConfigException(
                    node.field("presence-check"),
                    "only a serial-qr scanner has it (a PN532 is polled, which notices a lost reader by itself)");
        }
        Optional<EdgeConfig.QrProbe> probe = probe(node, type);
        Duration frameInterval = node.optDuration("frame-interval").orElse(Duration.ofMillis(200));
        switch (type) {
            case PN532, SERIAL_QR -> {
                if (port.isEmpty()) {
                    throw new ConfigException(
                            node.field("port"),
                            "a " + Node.wire(type) + " reader needs its serial port, e.g. /dev/ttyUSB0");
                }
            }
            case CAMERA_QR -> {
                if (command.isEmpty()) {
                    throw new ConfigException(
                            node.field("capture-command"),
                            "a camera-qr reader needs the command that prints one frame (PNG or JPEG) to stdout");
                }
            }
        }
        node.end();
        return new EdgeConfig.Reader(
                id, type, port, lineEnding, command, frameInterval, baudRate, presenceCheck, probe);
    }

    private static final List<String> PROBE_KEYS = List.of("probe", "probe-reply", "probe-every", "probe-timeout");

    /** A serial-qr scanner's optional liveness query: probe and probe-reply together, or none of the four keys. */
    private static Optional<EdgeConfig.QrProbe> probe(Node node, EdgeConfig.ReaderType type) {
        Optional<String> given = PROBE_KEYS.stream().filter(node::has).findFirst();
        if (given.isEmpty()) {
            return Optional.empty();
        }
        if (type != EdgeConfig.ReaderType.SERIAL_QR) {
            throw new ConfigException(
                    node.field(given.get()), "only a serial-qr scanner can be probed; remove the key here");
        }
        for (String key : List.of("probe", "probe-reply")) {
            if (!node.has(key)) {
                throw new ConfigException(
                        node.field(key),
                        "is missing: a probed scanner needs both probe (the query's bytes) and probe-reply (how"
                                + " its reply begins), in hex, from the scanner's manual");
            }
        }
        String query = node.hex("probe");
        String reply = node.hex("probe-reply");
        Duration every = bounded(
                node, "probe-every", EdgeConfig.QrProbe.DEFAULT_EVERY, Duration.ofSeconds(1), Duration.ofHours(1));
        Duration timeout = bounded(
                node,
                "probe-timeout",
                EdgeConfig.QrProbe.DEFAULT_TIMEOUT,
                Duration.ofMillis(100),
                Duration.ofMinutes(1));
        if (timeout.compareTo(every) >= 0) {
            throw new ConfigException(
                    node.field("probe-timeout"), "must be shorter than probe-every (" + every + "), not " + timeout);
        }
        return Optional.of(new EdgeConfig.QrProbe(query, reply, every, timeout));
    }

    /** A PN532 on HSU talks at 115200 baud (its power-on default). */
    private static final int PN532_BAUD_RATE = 115_200;

    private static final Set<String> KEYBOARD_TYPES = Set.of("keyboard", "keyboard-qr", "hid", "usb-hid", "evdev");
    private static final List<Integer> BAUD_RATES =
            List.of(1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600);

    private static ConfigException keyboardMode(String key) {
        return new ConfigException(
                key,
                "a scanner in keyboard (HID) mode types every code it reads into the Pi's console as if someone"
                        + " had typed it, and the agent cannot read it safely: switch the scanner to serial mode"
                        + " (USB CDC / virtual COM port, usually by scanning a setup code from its manual) and"
                        + " configure it as type serial-qr with its /dev/serial/by-id/ path");
    }

    /** A strict view of one YAML mapping; every accessor knows its key path, and end() rejects unknown keys. */
    private static final class Node {
        private final JsonNode json;
        private final String path;
        private final Set<String> read = new HashSet<>();

        Node(JsonNode json, String path) {
            this.json = json;
            this.path = path;
        }

        String field(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        boolean has(String name) {
            read.add(name);
            return json.has(name) && !json.get(name).isNull();
        }

        private JsonNode required(String name) {
            read.add(name);
            JsonNode value = json.get(name);
            if (value == null || value.isNull()) {
                throw new ConfigException(field(name), "is missing");
            }
            return value;
        }

        Node object(String name) {
            JsonNode value = required(name);
            if (!value.isObject()) {
                throw new ConfigException(field(name), "must be a mapping of keys");
            }
            return new Node(value, field(name));
        }

        List<Node> list(String name) {
            JsonNode value = required(name);
            if (!value.isArray()) {
                throw new ConfigException(field(name), "must be a list");
            }
            List<Node> out = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                out.add(new Node(value.get(i), field(name) + "[" + i + "]"));
            }
            return out;
        }

        String string(String name) {
            JsonNode value = required(name);
            if (!value.isTextual() && !value.isNumber()) {
                throw new ConfigException(field(name), "must be text");
            }
            return value.asText();
        }

        Optional<String> optString(String name) {
            return has(name) ? Optional.of(string(name)) : Optional.empty();
        }

        String id(String name) {
            String value = string(name);
            if (!Ids.isValid(value)) {
                throw new ConfigException(
                        field(name), "'" + value + "' must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
            }
            return value;
        }

        List<String> idList(String name, String what) {
            List<String> out = new ArrayList<>();
            List<Node> items = list(name);
            for (Node item : items) {
                if (!item.json.isTextual() || !Ids.isValid(item.json.textValue())) {
                    throw new ConfigException(item.path, "must be a " + what + " id");
                }
                out.add(item.json.textValue());
            }
            return out;
        }

        /** Bytes written in hex, pairs optionally separated by spaces ("16 4d 0d"); returned as plain lower-case hex. */
        String hex(String name) {
            String text = string(name);
            String digits = text.replace(" ", "").toLowerCase(Locale.ROOT);
            if (digits.isEmpty() || digits.length() % 2 != 0 || !digits.matches("[0-9a-f]+")) {
                throw new ConfigException(
                        field(name),
                        "'" + text + "' is not bytes in hex; write each byte as two hex digits, e.g. \"16 4d 0d\"");
            }
            return digits;
        }

        Optional<Boolean> optBool(String name) {
            if (!has(name)) {
                return Optional.empty();
            }
            JsonNode value = json.get(name);
            if (!value.isBoolean()) {
                throw new ConfigException(field(name), "must be true or false");
            }
            return Optional.of(value.booleanValue());
        }

        int integer(String name) {
            JsonNode value = required(name);
            if (!value.isInt()) {
                throw new ConfigException(field(name), "'" + value.asText() + "' must be a whole number");
            }
            return value.intValue();
        }

        /** A number from {@code min} to {@code max} (in {@code unit}). */
        double number(String name, double min, double max, String unit) {
            JsonNode value = required(name);
            if (!value.isNumber() || value.doubleValue() < min || value.doubleValue() > max) {
                throw new ConfigException(
                        field(name),
                        "'" + value.asText() + "' must be a number from " + (long) min + " to " + (long) max + " "
                                + unit);
            }
            return value.doubleValue();
        }

        int pin(String name) {
            JsonNode value = required(name);
            if (!value.isInt() || !BCM_PINS.contains(value.intValue())) {
                throw new ConfigException(
                        field(name), "'" + value.asText() + "' is not a usable BCM GPIO number (2-27)");
            }
            return value.intValue();
        }

        Optional<Duration> optDuration(String name) {
            if (!has(name)) {
                return Optional.empty();
            }
            String text = json.get(name).asText();
            Matcher matcher = DURATION.matcher(text);
            if (!matcher.matches()) {
                throw new ConfigException(
                        field(name), "'" + text + "' is not a duration; write e.g. 500ms, 5s, 2m, 1h or 7d");
            }
            long amount = Long.parseLong(matcher.group(1));
            return Optional.of(
                    switch (matcher.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    });
        }

        ZoneId zone(String name) {
            String text = string(name);
            if (!ZoneId.getAvailableZoneIds().contains(text)) {
                throw new ConfigException(field(name), "'" + text + "' is not an IANA time zone such as Europe/Berlin");
            }
            try {
                return ZoneId.of(text);
            } catch (DateTimeException e) {
                throw new ConfigException(field(name), "'" + text + "' is not a time zone");
            }
        }

        Path path(String name, Path baseDir) {
            String text = string(name);
            Path value = Path.of(text);
            return value.isAbsolute() || baseDir == null
                    ? value
                    : baseDir.resolve(value).normalize();
        }

        <E extends Enum<E>> E enumValue(String name, Class<E> type) {
            String text = string(name);
            for (E constant : type.getEnumConstants()) {
                if (wire(constant).equals(text)) {
                    return constant;
                }
            }
            List<String> allowed = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                allowed.add(wire(constant));
            }
            throw new ConfigException(field(name), "'" + text + "' is not one of " + allowed);
        }

        static String wire(Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        void end() {
            Iterator<String> names = json.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!read.contains(name)) {
                    throw new ConfigException(
                            field(name), "is not a known key here (check its spelling; see edge-agent/README.md)");
                }
            }
        }
    }
}
