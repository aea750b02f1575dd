package dev.gatehouse.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A technician edits this file on a Pi at a door: a mistake must stop the agent with a message that
 * names the key and says what would be right, never start it half-configured.
 */
class EdgeConfigLoaderTest {
    private static final Path EXAMPLE = Path.of("config/example.yaml");

    private static String example() throws IOException {
        return Files.readString(EXAMPLE);
    }

    @Test
    void theDocumentedExampleLoads() {
        EdgeConfig config = EdgeConfigLoader.load(EXAMPLE);

        assertThat(config.site())
                .isEqualTo(new EdgeConfig.Site("acme", "hq-berlin", "pi-1", ZoneId.of("Europe/Berlin")));
        assertThat(config.dataDir())
                .isEqualTo(EXAMPLE.toAbsolutePath().getParent().resolve("data"));
        assertThat(config.clockTolerance()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.doors()).hasSize(2);
        EdgeConfig.Door main = config.door("main-entrance").orElseThrow();
        assertThat(main.lock()).isEqualTo(EdgeConfig.Lock.FAIL_SECURE);
        assertThat(main.relayPin()).isEqualTo(17);
        assertThat(main.contactPin()).contains(27);
        assertThat(main.rexPin()).contains(22);
        assertThat(main.unlockPulse()).isEqualTo(Duration.ofSeconds(5));
        assertThat(main.heldOpenAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(main.unlockWindows()).singleElement().satisfies(window -> {
            assertThat(window.days())
                    .contains(DayOfWeek.MONDAY, DayOfWeek.FRIDAY)
                    .doesNotContain(DayOfWeek.SUNDAY);
            assertThat(window.from()).isEqualTo("08:00");
        });
        assertThat(main.readers()).containsExactly("nfc-main", "qr-main");
        EdgeConfig.Door room = config.door("meeting-room-1").orElseThrow();
        assertThat(room.rexPin()).isEmpty();
        assertThat(room.lock()).isEqualTo(EdgeConfig.Lock.FAIL_SAFE);
        assertThat(config.readers())
                .extracting(EdgeConfig.Reader::type)
                .containsExactly(
                        EdgeConfig.ReaderType.PN532, EdgeConfig.ReaderType.SERIAL_QR, EdgeConfig.ReaderType.PN532);
        assertThat(config.readers().get(1).lineEnding()).isEqualTo(EdgeConfig.LineEnding.CRLF);
        assertThat(config.readers().get(0).captureCommand()).isEqualTo(Optional.empty());
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // replace this text of the example | the key named | part of the message
                "tenant: acme|site.tenant|is missing",
                "zone: Europe/Berlin|site.zone|IANA time zone",
                "relay-pin: 17|doors[0].relay-pin|is missing",
                "contact-pin: 27|doors[0].contact-pin|not a usable BCM GPIO",
                "lock: fail-secure|doors[0].lock|not one of [fail-safe, fail-secure]",
                "unlock-pulse: 5s|doors[0].unlock-pulse|not a duration",
                "held-open-after: 30s|doors[0].held-open-after|must be at least the unlock pulse",
                "from: \"08:00\"|doors[0].unlock-windows[0].from|HH:MM",
                "days: [monday, tuesday, wednesday, thursday, friday]|doors[0].unlock-windows[0].days[1]|not a day",
                "readers: [nfc-main, qr-main]|doors[0].readers[1]|not defined under readers",
                "relay-pin: 23|doors[1].relay-pin|already used",
                "type: serial-qr|readers[1].type|not one of [pn532, serial-qr, camera-qr]",
                "port: /dev/ttyS0|readers[0].port|needs its serial port",
                "id: nfc-room-1|readers[2].id|used twice",
                "device: pi-1|site.colour|not a known key",
                "data-dir: data|data-dir|is missing",
                "clock-tolerance: 5s|clock-trusted-source|chronyc waitsync 1",
            })
    void aBrokenKeyIsNamedWithWhatIsWrong(String original, String key, String message) throws IOException {
        String broken = example().replace(original, breakage(original));

        assertThatThrownBy(() -> EdgeConfigLoader.parse(broken, Path.of("/etc/gatehouse")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining(message);
    }

    /** The edit that breaks each line of the table above. */
    private static String breakage(String original) {
        return switch (original) {
            case "tenant: acme" -> "";
            case "zone: Europe/Berlin" -> "zone: +01:00";
            case "relay-pin: 17" -> "";
            case "contact-pin: 27" -> "contact-pin: 40";
            case "lock: fail-secure" -> "lock: magnetic";
            case "unlock-pulse: 5s" -> "unlock-pulse: five seconds";
            case "held-open-after: 30s" -> "held-open-after: 2s";
            case "from: \"08:00\"" -> "from: \"8am\"";
            case "days: [monday, tuesday, wednesday, thursday, friday]" -> "days: [monday, tusday]";
            case "readers: [nfc-main, qr-main]" -> "readers: [nfc-main, qr-lobby]";
            case "relay-pin: 23" -> "relay-pin: 17";
            case "type: serial-qr" -> "type: usb-hid";
            case "port: /dev/ttyS0" -> "";
            case "id: nfc-room-1" -> "id: nfc-main";
            case "device: pi-1" -> "device: pi-1\n  colour: blue";
            case "data-dir: data" -> "";
            case "clock-tolerance: 5s" -> "clock-tolerance: 5s\nclock-trusted-source: \" \"";
            default -> throw new IllegalArgumentException(original);
        };
    }

    @Test
    void aClockTrustedSourceCommandIsOptional() throws IOException {
        // Why: chrony or ntpd sites name their tool; systemd-timesyncd sites need nothing.
        assertThat(EdgeConfigLoader.load(EXAMPLE).clockTrustedSource()).isEmpty();
        String chrony = example()
                .replace("clock-tolerance: 5s", "clock-tolerance: 5s\nclock-trusted-source: chronyc waitsync 1");

        assertThat(EdgeConfigLoader.parse(chrony, Path.of(".")).clockTrustedSource())
                .contains("chronyc waitsync 1");
    }

    @Test
    void notYamlAtAllIsRefusedWithItsLine() {
        assertThatThrownBy(() -> EdgeConfigLoader.parse("site: [unclosed\n  - x", Path.of(".")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> EdgeConfigLoader.parse("- just\n- a list\n", Path.of(".")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mapping");
    }

    @Test
    void aMissingFileSaysWhichFile(@TempDir Path dir) {
        assertThatThrownBy(() -> EdgeConfigLoader.load(dir.resolve("gatehouse.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gatehouse.yaml");
    }

    @Test
    void aReaderClaimedByTwoDoorsIsRefused() throws IOException {
        String twice = example().replace("readers: [nfc-room-1]", "readers: [nfc-main]");

        assertThatThrownBy(() -> EdgeConfigLoader.parse(twice, Path.of(".")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("doors[1].readers[0]"))
                .hasMessageContaining("already belongs to another door");
    }

    private static final String HUB = """

            hub:
              mqtt-url: tcp://127.0.0.1:11883
              password-file: mqtt-password
            """;

    @Test
    void theHubSectionIsOptionalAndDefaultsEveryTuningKey(@TempDir Path dir) throws IOException {
        // Why: without it the agent runs offline-only as before; with it, two keys are enough.
        assertThat(EdgeConfigLoader.load(EXAMPLE).hub()).isEmpty();
        Files.writeString(dir.resolve("mqtt-password"), "ghd_secret\n");

        EdgeConfig.Hub hub = EdgeConfigLoader.parse(example() + HUB, dir).hub().orElseThrow();

        assertThat(hub).isEqualTo(EdgeConfig.Hub.of("tcp://127.0.0.1:11883", dir.resolve("mqtt-password")));
        assertThat(hub.sessionExpiry()).isEqualTo(Duration.ofDays(7));
        assertThat(hub.inFlight()).isEqualTo(32);
    }

    @Test
    void everyHubKeyCanBeSet(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("mqtt-password"), "ghd_secret");
        String yaml = example() + HUB + """
                  keep-alive: 10s
                  session-expiry: 2d
                  reconnect-min: 100ms
                  reconnect-max: 5s
                  ack-timeout: 2s
                  in-flight: 8
                  state-interval: 1m
                """;

        EdgeConfig.Hub hub = EdgeConfigLoader.parse(yaml, dir).hub().orElseThrow();

        assertThat(hub)
                .isEqualTo(new EdgeConfig.Hub(
                        "tcp://127.0.0.1:11883",
                        dir.resolve("mqtt-password"),
                        Duration.ofSeconds(10),
                        Duration.ofDays(2),
                        Duration.ofMillis(100),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(2),
                        8,
                        Duration.ofMinutes(1)));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "mqtt-url: tcp://127.0.0.1:11883|mqtt-url: http://hub|hub.mqtt-url|not a broker URL",
                "mqtt-url: tcp://127.0.0.1:11883|mqtt-url: tcp://hub:99999|hub.mqtt-url|outside 1-65535",
                "password-file: mqtt-password|password-file: nowhere|hub.password-file|cannot read",
                "password-file: mqtt-password|password-file: empty-password|hub.password-file|is empty",
                "password-file: mqtt-password|password-file: mqtt-password\\n  in-flight: 0|hub.in-flight|1 to 1000",
                "password-file: mqtt-password|password-file: mqtt-password\\n  reconnect-max: 1ms|hub.reconnect-max|between",
                "password-file: mqtt-password|password-file: mqtt-password\\n  reconnect-min: 1m\\n  reconnect-max: 2s|hub.reconnect-max|at least reconnect-min",
                "password-file: mqtt-password|password-file: mqtt-password\\n  colour: blue|hub.colour|not a known key",
                "mqtt-url: tcp://127.0.0.1:11883\\n|''|hub.mqtt-url|is missing",
            })
    void aBrokenHubKeyIsNamed(String original, String replacement, String key, String message, @TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("mqtt-password"), "ghd_secret");
        Files.writeString(dir.resolve("empty-password"), "  \n");
        String yaml = (example() + HUB).replace(original.replace("\\n", "\n"), replacement.replace("\\n", "\n"));

        assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, dir))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining(message);
    }
}
