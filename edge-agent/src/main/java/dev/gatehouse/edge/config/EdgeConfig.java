package dev.gatehouse.edge.config;

import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.edge.av.RoomScene;
import dev.gatehouse.edge.av.RoomSetup;
import dev.gatehouse.edge.door.InputWiring;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's configuration, read from a YAML file by {@link EdgeConfigLoader}. Every key and its
 * default are documented in {@code edge-agent/README.md}.
 */
public record EdgeConfig(
        Site site,
        Path dataDir,
        Path cardKeyFile,
        Path trustedKeysFile,
        Duration clockTolerance,
        Optional<String> clockTrustedSource,
        List<Door> doors,
        List<Reader> readers,
        Optional<Hub> hub,
        List<FireRelease> fireReleases,
        Optional<LocalConsole> localConsole,
        List<Room> rooms) {

    public EdgeConfig {
        doors = List.copyOf(doors);
        readers = List.copyOf(readers);
        java.util.Objects.requireNonNull(hub, "hub");
        fireReleases = List.copyOf(fireReleases);
        java.util.Objects.requireNonNull(localConsole, "localConsole");
        rooms = List.copyOf(rooms);
    }

    /** The configuration without meeting rooms' A/V. */
    public EdgeConfig(
            Site site,
            Path dataDir,
            Path cardKeyFile,
            Path trustedKeysFile,
            Duration clockTolerance,
            Optional<String> clockTrustedSource,
            List<Door> doors,
            List<Reader> readers,
            Optional<Hub> hub,
            List<FireRelease> fireReleases,
            Optional<LocalConsole> localConsole) {
        this(
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
                List.of());
    }

    /** The configuration without a technician's console. */
    public EdgeConfig(
            Site site,
            Path dataDir,
            Path cardKeyFile,
            Path trustedKeysFile,
            Duration clockTolerance,
            Optional<String> clockTrustedSource,
            List<Door> doors,
            List<Reader> readers,
            Optional<Hub> hub,
            List<FireRelease> fireReleases) {
        this(
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
                Optional.empty());
    }

    /** The configuration without fire-release inputs. */
    public EdgeConfig(
            Site site,
            Path dataDir,
            Path cardKeyFile,
            Path trustedKeysFile,
            Duration clockTolerance,
            Optional<String> clockTrustedSource,
            List<Door> doors,
            List<Reader> readers,
            Optional<Hub> hub) {
        this(
                site,
                dataDir,
                cardKeyFile,
                trustedKeysFile,
                clockTolerance,
                clockTrustedSource,
                doors,
                readers,
                hub,
                List.of());
    }

    /** The configuration without a {@code hub} section: the agent runs offline-only. */
    public EdgeConfig(
            Site site,
            Path dataDir,
            Path cardKeyFile,
            Path trustedKeysFile,
            Duration clockTolerance,
            Optional<String> clockTrustedSource,
            List<Door> doors,
            List<Reader> readers) {
        this(
                site,
                dataDir,
                cardKeyFile,
                trustedKeysFile,
                clockTolerance,
                clockTrustedSource,
                doors,
                readers,
                Optional.empty());
    }

    /** This configuration with {@code hub} as its hub section (tests, provisioning). */
    public EdgeConfig withHub(Optional<Hub> hub) {
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

    /** This configuration with {@code rooms} as its meeting rooms (tests). */
    public EdgeConfig withRooms(List<Room> rooms) {
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
     * A meeting room whose A/V the agent runs from its bookings (the {@code rooms} section): the doors
     * it covers, its controller's OPC UA endpoint, the controller's node for each function it has
     * (every function optional) and its scene.
     *
     * @param controller the controller's endpoint, {@code opc.tcp://host:port/path}
     * @param nodes each function's node id in the standard text form ({@code ns=2;s=…}, {@code nsu=URI;s=…})
     */
    public record Room(
            String id,
            String name,
            List<String> doors,
            String controller,
            Map<RoomFunction, String> nodes,
            RoomScene scene) {
        public Room {
            doors = List.copyOf(doors);
            nodes = Map.copyOf(nodes);
            java.util.Objects.requireNonNull(scene, "scene");
        }

        /** What the room's A/V scheduler and its controller adapter need. */
        public RoomSetup setup() {
            return new RoomSetup(id, controller, nodes, scene);
        }
    }

    /**
     * The optional {@code local-console} section: the technician's web console on the Pi's network,
     * served by the agent itself, so it works while the hub is away. Off unless configured; the
     * listen address has no default, so the console reaches the LAN only when a technician says so.
     *
     * @param host the address to bind: {@code 127.0.0.1} (this Pi only, e.g. through an SSH tunnel),
     *     or one of the Pi's LAN addresses
     * @param port the TCP port ({@code 0}: any free port, for tests)
     * @param passwordFile the Argon2id hash of the console password, written by {@code gatehouse-edge
     *     console-password} (0600)
     * @param sessionIdle a session unused this long is signed out
     */
    public record LocalConsole(String host, int port, Path passwordFile, Duration sessionIdle) {
        public static final Duration DEFAULT_SESSION_IDLE = Duration.ofMinutes(15);
        public static final String DEFAULT_PASSWORD_FILE = "console-password";

        public LocalConsole {
            java.util.Objects.requireNonNull(host, "host");
            java.util.Objects.requireNonNull(passwordFile, "passwordFile");
            java.util.Objects.requireNonNull(sessionIdle, "sessionIdle");
        }

        /** Whether the console listens on every network of the Pi rather than on one address. */
        public boolean wildcard() {
            return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        }
    }

    /**
     * A fire-release (emergency) input: while it is active the doors it names are held unlocked,
     * whatever the cache, the hub, a lockdown or the agent's own state say. Usually the fire panel's
     * normally-closed alarm relay, so that a cut wire releases the doors too.
     *
     * @param id a name for logs and events
     * @param pin the BCM GPIO pin the input is wired to
     * @param wiring how the switch is wired; "active" means the alarm is on
     * @param doors the ids of the doors it releases
     */
    public record FireRelease(String id, int pin, InputWiring wiring, List<String> doors) {
        public FireRelease {
            java.util.Objects.requireNonNull(wiring, "wiring");
            doors = List.copyOf(doors);
        }
    }

    /**
     * The optional {@code hub} section: how the agent reaches the hub's MQTT broker. The user name and
     * client id are the device id; the password is read from {@code passwordFile} when the client starts.
     * With {@code caFile} (PEM, see {@link TrustedCas}) an {@code ssl://} broker's certificate must come
     * from a CA in that file instead of one the JVM trusts; it is read again at each connect.
     */
    public record Hub(
            String mqttUrl,
            Path passwordFile,
            Duration keepAlive,
            Duration sessionExpiry,
            Duration reconnectMin,
            Duration reconnectMax,
            Duration ackTimeout,
            int inFlight,
            Duration stateInterval,
            Optional<Path> caFile) {
        public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
        public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofDays(7);
        public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofMillis(500);
        public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(30);
        public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);
        public static final int DEFAULT_IN_FLIGHT = 32;
        public static final Duration DEFAULT_STATE_INTERVAL = Duration.ofSeconds(30);

        public Hub {
            java.util.Objects.requireNonNull(caFile, "caFile");
        }

        /** A hub section with every default but the broker URL and password file. */
        public static Hub of(String mqttUrl, Path passwordFile) {
            return new Hub(
                    mqttUrl,
                    passwordFile,
                    DEFAULT_KEEP_ALIVE,
                    DEFAULT_SESSION_EXPIRY,
                    DEFAULT_RECONNECT_MIN,
                    DEFAULT_RECONNECT_MAX,
                    DEFAULT_ACK_TIMEOUT,
                    DEFAULT_IN_FLIGHT,
                    DEFAULT_STATE_INTERVAL,
                    Optional.empty());
        }
    }

    /**
     * Which tenant, site and device this agent is, the site's time zone, and the name of the guest Wi-Fi
     * network the kiosk's vouchers are for ({@code guest-wifi}; shown beside a voucher's code).
     */
    public record Site(String tenant, String id, String device, ZoneId zone, Optional<String> guestWifi) {
        /** The longest network name (an SSID is at most 32 bytes). */
        public static final int MAX_GUEST_WIFI = 32;

        public Site {
            java.util.Objects.requireNonNull(guestWifi, "guestWifi");
        }

        /** A site without a guest Wi-Fi network named. */
        public Site(String tenant, String id, String device, ZoneId zone) {
            this(tenant, id, device, zone, Optional.empty());
        }
    }

    /** How the lock behaves when unpowered. */
    public enum Lock {
        /** A maglock: unlocked when unpowered, so the relay is energised to lock. */
        FAIL_SAFE,
        /** An electric strike: locked when unpowered, so the relay is energised to unlock. */
        FAIL_SECURE
    }

    /** One weekly unlock window (office hours) in the site's zone. */
    public record UnlockWindow(List<java.time.DayOfWeek> days, String from, String to) {
        public UnlockWindow {
            days = List.copyOf(days);
        }
    }

    /**
     * One door: its lock, its relay (pin and board polarity), its optional contact and REX button
     * (pin and wiring), and its timings, windows and readers.
     */
    public record Door(
            String id,
            String name,
            Lock lock,
            int relayPin,
            boolean relayActiveLow,
            Optional<Integer> contactPin,
            InputWiring contact,
            Optional<Integer> rexPin,
            InputWiring rex,
            boolean rexUnlocks,
            Duration unlockPulse,
            Duration heldOpenAfter,
            List<UnlockWindow> unlockWindows,
            List<String> readers) {
        public Door {
            java.util.Objects.requireNonNull(contact, "contact");
            java.util.Objects.requireNonNull(rex, "rex");
            unlockWindows = List.copyOf(unlockWindows);
            readers = List.copyOf(readers);
        }
    }

    /** Kinds of reader the agent drives. */
    public enum ReaderType {
        /** A PN532 NFC reader on a serial port (HSU). */
        PN532,
        /** A serial QR/barcode scanner that sends each code as a line. */
        SERIAL_QR,
        /** A camera whose frames are scanned for QR codes. */
        CAMERA_QR
    }

    /** Line endings a serial QR scanner may send. */
    public enum LineEnding {
        CR,
        LF,
        CRLF
    }

    /**
     * The liveness query of a serial scanner that answers one: {@code query} is sent whenever the line
     * has been quiet for {@code every}, and a reply beginning with {@code replyPrefix} must come within
     * {@code timeout}. The bytes are lower-case hex without separators (the loader accepts spaces).
     */
    public record QrProbe(String query, String replyPrefix, Duration every, Duration timeout) {
        public static final Duration DEFAULT_EVERY = Duration.ofSeconds(30);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    }

    /**
     * One reader; {@code baudRate}, {@code lineEnding}, {@code presenceCheck} and {@code probe} are a
     * serial-qr scanner's (a PN532 talks at 115200 and is checked by its own polling).
     */
    public record Reader(
            String id,
            ReaderType type,
            Optional<String> port,
            LineEnding lineEnding,
            Optional<String> captureCommand,
            Duration frameInterval,
            int baudRate,
            Duration presenceCheck,
            Optional<QrProbe> probe) {
        public static final int DEFAULT_QR_BAUD_RATE = 9600;
        public static final Duration DEFAULT_PRESENCE_CHECK = Duration.ofSeconds(1);

        public Reader {
            java.util.Objects.requireNonNull(probe, "probe");
        }
    }

    /**
     * What in this configuration works but deserves a technician's second look, one sentence each
     * naming its key: a serial port given by its kernel name (USB readers may swap names after a
     * reboot), a hub link in plain TCP to another machine. The agent logs them at start.
     */
    public List<String> warnings() {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < readers.size(); i++) {
            Reader reader = readers.get(i);
            Optional<String> port = reader.port().filter(p -> p.matches("/dev/tty(USB|ACM)\\d+"));
            if (port.isPresent()) {
                out.add("readers[" + i + "].port: " + port.get() + " is a kernel name, which follows the order USB"
                        + " devices appear in and may give two readers each other's door after a reboot: use the"
                        + " reader's /dev/serial/by-id/ (or by-path) link");
            }
        }
        hub.ifPresent(link -> {
            String url = link.mqttUrl();
            if (url.startsWith("tcp://")) {
                String host = url.substring("tcp://".length(), url.lastIndexOf(':'));
                if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) {
                    out.add("hub.mqtt-url: " + url + " is plain TCP to another machine: the device password and"
                            + " every access event cross the network unencrypted; use ssl://");
                }
            }
        });
        localConsole
                .filter(LocalConsole::wildcard)
                .ifPresent(console -> out.add("local-console.listen: "
                        + console.host() + " serves the technician console on every network this Pi is on (and in plain"
                        + " HTTP): give the one LAN address technicians use, or 127.0.0.1 and an SSH tunnel"));
        return List.copyOf(out);
    }

    public Optional<Door> door(String id) {
        return doors.stream().filter(door -> door.id().equals(id)).findFirst();
    }
}
