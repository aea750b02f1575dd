package dev.gatehouse.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.edge.av.AvValue;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.edge.av.RoomScene;
import dev.gatehouse.edge.door.InputWiring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertThat(main.relayActiveLow()).isTrue();
        assertThat(main.contact()).isEqualTo(InputWiring.contactToGround());
        assertThat(main.rex()).isEqualTo(InputWiring.buttonToGround());
        assertThat(main.rexUnlocks()).isTrue();
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
                "relay-active: low       #|doors[0].relay-active|low level trigger",
                "relay-active: low       # the|doors[0].relay-active|not one of [high, low]",
                "contact-type: normally-closed   #|doors[0].contact-type|not one of [normally-open, normally-closed]",
                "contact-wired-to: ground        #|doors[0].contact-wired-to|not one of [ground, 3v3]",
                "rex-wired-to: ground|doors[0].rex-pull|pulled toward its own rail",
                "input-debounce: 20ms|doors[0].input-debounce|between 0 and 1s",
                "rex-unlocks: true|doors[0].contact-normally-closed|was replaced by contact-type",
            })
    void aBrokenKeyIsNamedWithWhatIsWrong(String original, String key, String message) throws IOException {
        String broken = example().replace(original, breakage(original));

        assertThatThrownBy(() -> EdgeConfigLoader.parse(broken, Path.of("/etc/gatehouse")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void theGuestWifiNetworkIsOptionalAndChecked() throws IOException {
        // The kiosk shows it beside a voucher's code: a name no phone lists would only confuse a visitor.
        String named = example().replace("zone: Europe/Berlin", "guest-wifi: HQ Guest\n  zone: Europe/Berlin");
        String tooLong =
                example().replace("zone: Europe/Berlin", "guest-wifi: " + "x".repeat(33) + "\n  zone: Europe/Berlin");

        assertThat(EdgeConfigLoader.parse(named, Path.of("/etc/gatehouse"))
                        .site()
                        .guestWifi())
                .contains("HQ Guest");
        assertThat(EdgeConfigLoader.load(EXAMPLE).site().guestWifi()).isEmpty();
        assertThatThrownBy(() -> EdgeConfigLoader.parse(tooLong, Path.of("/etc/gatehouse")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("site.guest-wifi"))
                .hasMessageContaining("1-32 bytes");
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
            case "type: serial-qr" -> "type: rfid";
            case "port: /dev/ttyS0" -> "";
            case "id: nfc-room-1" -> "id: nfc-main";
            case "device: pi-1" -> "device: pi-1\n  colour: blue";
            case "data-dir: data" -> "";
            case "clock-tolerance: 5s" -> "clock-tolerance: 5s\nclock-trusted-source: \" \"";
            case "relay-active: low       #" -> "#";
            case "relay-active: low       # the" -> "relay-active: medium # the";
            case "contact-type: normally-closed   #" -> "contact-type: nc #";
            case "contact-wired-to: ground        #" -> "contact-wired-to: gnd #";
            case "rex-wired-to: ground" -> "rex-wired-to: ground\n    rex-pull: down";
            case "input-debounce: 20ms" -> "input-debounce: 2s";
            case "rex-unlocks: true" -> "rex-unlocks: true\n    contact-normally-closed: true";
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
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret\n");

        EdgeConfig.Hub hub = EdgeConfigLoader.parse(example() + HUB, dir).hub().orElseThrow();

        assertThat(hub).isEqualTo(EdgeConfig.Hub.of("tcp://127.0.0.1:11883", dir.resolve("mqtt-password")));
        assertThat(hub.sessionExpiry()).isEqualTo(Duration.ofDays(7));
        assertThat(hub.inFlight()).isEqualTo(32);
    }

    @Test
    void everyHubKeyCanBeSet(@TempDir Path dir) throws IOException {
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret");
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
                        Duration.ofMinutes(1),
                        Optional.empty()));
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
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret");
        SecretFiles.writeOwnerOnly(dir.resolve("empty-password"), "  \n");
        String yaml = (example() + HUB).replace(original.replace("\\n", "\n"), replacement.replace("\\n", "\n"));

        assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, dir))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining(message);
    }

    /** A CA certificate (public part only) as an operator's private CA would give it. */
    private static final Path TEST_CA = Path.of("src/test/resources/tls/test-ca.pem");

    @Test
    void aCaFileNamesTheHubsPrivateCaBesideTheConfig(@TempDir Path dir) throws IOException {
        // Why: a hub with a certificate from the operator's own CA is reachable only if the edge trusts that CA.
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret");
        Files.copy(TEST_CA, dir.resolve("hub-ca.pem"));
        String yaml = (example() + HUB).replace("tcp://127.0.0.1:11883", "ssl://hub.example.org:8883")
                + "  ca-file: hub-ca.pem\n";

        EdgeConfig.Hub hub = EdgeConfigLoader.parse(yaml, dir).hub().orElseThrow();

        assertThat(hub.caFile()).contains(dir.resolve("hub-ca.pem"));
        assertThat(TrustedCas.read(hub.caFile().orElseThrow(), "hub.ca-file").certificates())
                .singleElement()
                .satisfies(
                        ca -> assertThat(ca.getSubjectX500Principal().getName()).contains("Gatehouse Test CA"));
        assertThat(EdgeConfigLoader.parse(example() + HUB, dir)
                        .hub()
                        .orElseThrow()
                        .caFile())
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "missing|does not exist: copy the certificate of the CA",
                "directory|cannot read",
                "empty|holds no PEM certificate",
                "der|holds no PEM certificate",
                "private-key|holds a private key",
                "damaged|certificate 2 in",
            })
    void aBadCaFileStopsTheStartNamingTheKey(String kind, String message, @TempDir Path dir) throws Exception {
        // Why: a link that never comes up is found at the door, days later; a bad key is found at the start.
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret");
        String ca = Files.readString(TEST_CA);
        Path file = dir.resolve("ca.pem");
        switch (kind) {
            case "missing" -> {}
            case "directory" -> Files.createDirectory(file);
            case "empty" -> Files.writeString(file, "");
            case "der" ->
                Files.write(
                        file,
                        TrustedCas.read(TEST_CA, "x").certificates().getFirst().getEncoded());
            case "private-key" ->
                Files.writeString(file, ca + "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n");
            case "damaged" -> Files.writeString(file, ca + ca.replace(ca.substring(40, 60), "AAAAAAAAAAAAAAAAAAAA"));
            default -> throw new IllegalArgumentException(kind);
        }
        String yaml = example() + HUB + "  ca-file: ca.pem\n";

        assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, dir))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("hub.ca-file"))
                .hasMessageContaining(message)
                .hasMessageContaining(file.toString());
    }

    @ParameterizedTest(name = "relay on GPIO {0}")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 14, 15})
    void aRelayOnABootUnsafePinIsRefusedWithASafeOneNamed(int pin) throws IOException {
        // As filed, these were accepted: a relay on them clicks on while the Pi boots, before the agent runs.
        String yaml = example().replace("relay-pin: 17", "relay-pin: " + pin);

        assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, Path.of(".")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("doors[0].relay-pin"))
                .hasMessageContaining("GPIO " + pin + " is unsafe for a relay")
                .hasMessageContaining("use GPIO 17 (free here)");
    }

    @Test
    void everyPinOfferedForRelaysIsAcceptedForOne() throws IOException {
        for (int pin : EdgeConfigLoader.RELAY_PINS) {
            String yaml = example()
                    .replace("relay-pin: 23", "relay-pin: " + (pin == 16 ? 26 : 16))
                    .replace("relay-pin: 17", "relay-pin: " + pin)
                    .replace("contact-pin: 27", "contact-pin: 5")
                    .replace("rex-pin: 22", "rex-pin: 6")
                    .replace("contact-pin: 24", "contact-pin: 7");
            assertThat(EdgeConfigLoader.parse(yaml, Path.of("."))
                            .doors()
                            .getFirst()
                            .relayPin())
                    .isEqualTo(pin);
        }
    }

    @Test
    void theUartPinsAreRefusedForInputsWhenAReaderUsesTheUart() throws IOException {
        // The example's PN532 is on /dev/ttyS0, the Pi's own UART on GPIO 14 and 15.
        String yaml = example().replace("rex-pin: 22", "rex-pin: 15");

        assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, Path.of(".")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("doors[0].rex-pin"))
                .hasMessageContaining("serial port that reader 'nfc-main' uses");
        String usb = yaml.replace("port: /dev/ttyS0", "port: /dev/serial/by-id/usb-pn532-if00");
        assertThat(EdgeConfigLoader.parse(usb, Path.of(".")).doors().getFirst().rexPin())
                .contains(15);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "type: serial-qr|type: keyboard-qr|readers[1].type",
                "port: /dev/serial/by-id/usb-Barcode_Scanner_USB_CDC-if00|port: /dev/input/event3|readers[1].port",
            })
    void aKeyboardModeScannerIsRefusedWithHowToSwitchIt(String original, String replacement, String key)
            throws IOException {
        String yaml = example().replace(original, replacement);

        assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, Path.of(".")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining("switch the scanner to serial mode");
    }

    @Test
    void aScannersLivenessSettingsDefaultAndCanBeSet() throws IOException {
        // Why: an unprobed scanner is still watched (its device path); a probe is opt-in per model.
        EdgeConfig.Reader plain = EdgeConfigLoader.load(EXAMPLE).readers().get(1);
        assertThat(plain.presenceCheck()).isEqualTo(Duration.ofSeconds(1));
        assertThat(plain.probe()).isEmpty();

        String probed = example().replace("line-ending: crlf", """
                line-ending: lf
                    presence-check: 500ms
                    probe: "16 4D 0d"
                    probe-reply: "06"
                    probe-every: 10s""");
        EdgeConfig.Reader reader =
                EdgeConfigLoader.parse(probed, Path.of(".")).readers().get(1);

        assertThat(reader.lineEnding()).isEqualTo(EdgeConfig.LineEnding.LF);
        assertThat(reader.presenceCheck()).isEqualTo(Duration.ofMillis(500));
        assertThat(reader.probe())
                .contains(new EdgeConfig.QrProbe("164d0d", "06", Duration.ofSeconds(10), Duration.ofSeconds(2)));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // what replaces "line-ending: crlf" of the qr scanner (~ starts the next key) | the key | part of the
                // message
                "line-ending: cr-lf|readers[1].line-ending|not one of [cr, lf, crlf]",
                "presence-check: 10ms|readers[1].presence-check|between PT0.1S and PT1M",
                "presence-check: soon|readers[1].presence-check|not a duration",
                "probe: \"16 4d 0\"~probe-reply: \"06\"|readers[1].probe|two hex digits",
                "probe: \"16 zz\"~probe-reply: \"06\"|readers[1].probe|not bytes in hex",
                "probe: \"16 4d 0d\"|readers[1].probe-reply|needs both probe",
                "probe-reply: \"06\"|readers[1].probe|needs both probe",
                "probe-every: 30s|readers[1].probe|needs both probe",
                "probe: \"16\"~probe-reply: \"06\"~probe-every: 500ms|readers[1].probe-every|between PT1S and PT1H",
                "probe: \"16\"~probe-reply: \"06\"~probe-every: 2s~probe-timeout: 2s|readers[1].probe-timeout|shorter than probe-every",
            })
    void aBrokenScannerKeyIsNamedWithWhatIsWrong(String replacement, String key, String message) throws IOException {
        String broken = example().replace("line-ending: crlf", replacement.replace("~", "\n    "));

        assertThatThrownBy(() -> EdgeConfigLoader.parse(broken, Path.of(".")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"line-ending: cr", "presence-check: 1s", "probe: \"16\""})
    void scannerKeysOnAPn532AreRefused(String line) throws IOException {
        // Why: a key that does nothing on this reader would make the technician believe it is set.
        String onPn532 = example().replace("port: /dev/ttyS0", "port: /dev/ttyS0\n    " + line);

        assertThatThrownBy(() -> EdgeConfigLoader.parse(onPn532, Path.of(".")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key())
                        .isEqualTo("readers[0]." + line.substring(0, line.indexOf(':'))))
                .hasMessageContaining("serial-qr");
    }

    @Test
    void aScannersBaudRateIsReadAndChecked() throws IOException {
        assertThat(EdgeConfigLoader.load(EXAMPLE).readers().get(1).baudRate()).isEqualTo(9600);
        String fast = example().replace("baud-rate: 9600", "baud-rate: 115200");
        assertThat(EdgeConfigLoader.parse(fast, Path.of(".")).readers().get(1).baudRate())
                .isEqualTo(115200);

        String odd = example().replace("baud-rate: 9600", "baud-rate: 12345");
        assertThatThrownBy(() -> EdgeConfigLoader.parse(odd, Path.of(".")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("readers[1].baud-rate"))
                .hasMessageContaining("not a serial line speed");
        String onPn532 = example().replace("port: /dev/ttyS0", "port: /dev/ttyS0\n    baud-rate: 9600");
        assertThatThrownBy(() -> EdgeConfigLoader.parse(onPn532, Path.of(".")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("readers[0].baud-rate"));
    }

    @Test
    void kernelPortNamesAndPlainTcpToAnotherMachineAreWarnedAbout(@TempDir Path dir) throws IOException {
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret");
        assertThat(EdgeConfigLoader.parse(example() + HUB, dir).warnings()).isEmpty();
        EdgeConfig local = EdgeConfigLoader.parse(
                (example() + HUB)
                        .replace("port: /dev/serial/by-id/usb-Barcode_Scanner_USB_CDC-if00", "port: /dev/ttyUSB0"),
                dir);
        assertThat(local.warnings())
                .singleElement()
                .asString()
                .startsWith("readers[1].port: /dev/ttyUSB0 is a kernel name")
                .contains("/dev/serial/by-id/");

        String stable = (example() + HUB).replace("tcp://127.0.0.1:11883", "tcp://hub.example.com:1883");
        assertThat(EdgeConfigLoader.parse(stable, dir).warnings())
                .singleElement()
                .asString()
                .startsWith("hub.mqtt-url: tcp://hub.example.com:1883 is plain TCP")
                .contains("ssl://");
        assertThat(EdgeConfigLoader.parse(stable.replace("tcp://hub", "ssl://hub"), dir)
                        .warnings())
                .isEmpty();
    }

    @Test
    void aPasswordFileOthersCanReadIsRefused(@TempDir Path dir) throws IOException {
        Path password = SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> EdgeConfigLoader.parse(example() + HUB, dir))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("hub.password-file"))
                .hasMessageContaining("rw-r--r--")
                .hasMessageContaining("chmod 600 " + password);
    }

    @Nested
    class TheTechniciansConsole {
        @Test
        void isOffUnlessConfiguredAndThenNeedsOnlyItsAddress(@TempDir Path dir) throws IOException {
            // Why: no default address, so an agent never puts a console on the LAN that nobody asked for.
            assertThat(EdgeConfigLoader.load(EXAMPLE).localConsole()).isEmpty();

            EdgeConfig config = EdgeConfigLoader.parse(example() + "\nlocal-console:\n  listen: 127.0.0.1:8081\n", dir);

            assertThat(config.localConsole())
                    .contains(new EdgeConfig.LocalConsole(
                            "127.0.0.1", 8081, dir.resolve("console-password"), Duration.ofMinutes(15)));
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void everyKeyCanBeSetAndAWildcardAddressIsWarnedAbout(@TempDir Path dir) throws IOException {
            String yaml = example()
                    + "\nlocal-console:\n  listen: 0.0.0.0:9000\n  password-file: secrets/console\n"
                    + "  session-idle: 5m\n";

            EdgeConfig config = EdgeConfigLoader.parse(yaml, dir);

            assertThat(config.localConsole())
                    .contains(new EdgeConfig.LocalConsole(
                            "0.0.0.0", 9000, dir.resolve("secrets/console"), Duration.ofMinutes(5)));
            assertThat(config.warnings())
                    .singleElement()
                    .asString()
                    .startsWith("local-console.listen: 0.0.0.0 serves the technician console on every network");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(
                delimiter = '|',
                value = {
                    "password-file: console-password|local-console.listen|is missing",
                    "listen: 8081|local-console.listen|is not host:port",
                    "listen: 127.0.0.1:70000|local-console.listen|outside 0-65535",
                    "listen: 127.0.0.1:8081\\n  session-idle: 10s|local-console.session-idle|between",
                    "listen: 127.0.0.1:8081\\n  colour: blue|local-console.colour|not a known key",
                })
        void aBrokenKeyIsNamed(String section, String key, String message, @TempDir Path dir) throws IOException {
            String yaml = example() + "\nlocal-console:\n  " + section.replace("\\n", "\n") + "\n";

            assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, dir))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                    .hasMessageContaining(message);
        }
    }

    @Nested
    class MeetingRooms {
        private static final String ROOM_NODES = "    nodes:\n      display-power: ns=2;s=r/Display/Power\n";

        private String withoutRooms() throws IOException {
            String text = example();
            return text.substring(0, text.indexOf("\n# Meeting rooms whose A/V"));
        }

        @Test
        void theExampleRoomLoadsWithItsMappingAndScene() {
            EdgeConfig.Room room = EdgeConfigLoader.load(EXAMPLE).rooms().getFirst();

            assertThat(room.id()).isEqualTo("meeting-room-1");
            assertThat(room.doors()).containsExactly("meeting-room-1");
            assertThat(room.controller()).isEqualTo("opc.tcp://192.168.1.50:4840/rooms");
            assertThat(room.nodes()).hasSize(6);
            assertThat(room.nodes().get(RoomFunction.DISPLAY_POWER))
                    .isEqualTo("nsu=urn:gatehouse:sim:room-controller;s=meeting-room-1/Display/Power");
            assertThat(room.nodes().get(RoomFunction.HVAC_SETPOINT))
                    .isEqualTo("ns=2;s=meeting-room-1/Climate/Setpoint");
            assertThat(room.scene())
                    .isEqualTo(new RoomScene(
                            Duration.ofMinutes(5),
                            Optional.of(AvValue.of("HDMI1")),
                            80,
                            Optional.of(21.5),
                            0,
                            Optional.of(18.0)));
            assertThat(room.setup().has(RoomFunction.PRESENCE)).isTrue();
        }

        @Test
        void roomsAreOptionalAndEveryFunctionAndSceneValueToo() throws IOException {
            // Why: a phone booth has no controller; a room may have a display and nothing else.
            assertThat(EdgeConfigLoader.parse(withoutRooms(), Path.of("/etc/gatehouse"))
                            .rooms())
                    .isEmpty();

            String yaml = withoutRooms() + "\nrooms:\n  - id: r\n    controller: opc.tcp://10.0.0.5:4840\n" + ROOM_NODES
                    + "      display-input: ns=2;s=r/Display/Input\n    scene:\n      input: 3\n";
            EdgeConfig.Room room = EdgeConfigLoader.parse(yaml, Path.of("/etc/gatehouse"))
                    .rooms()
                    .getFirst();

            assertThat(room.name()).isEqualTo("r");
            assertThat(room.doors()).isEmpty();
            assertThat(room.nodes()).containsOnlyKeys(RoomFunction.DISPLAY_POWER, RoomFunction.DISPLAY_INPUT);
            assertThat(room.scene().input()).contains(AvValue.of(3));
            assertThat(room.scene().warmUp()).isEqualTo(RoomScene.DEFAULT_WARM_UP);
            assertThat(room.scene().lights()).isEqualTo(RoomScene.DEFAULT_LIGHTS);
            assertThat(room.scene().setpoint()).isEmpty();
            assertThat(room.scene().standbyLights()).isZero();
        }

        @ParameterizedTest(name = "{1}: {2}")
        @CsvSource(
                delimiter = '|',
                value = {
                    // replace this text of the example | by this | the key named | part of the message
                    "controller: opc.tcp://192.168.1.50:4840/rooms|controller: http://192.168.1.50/rooms"
                            + "|rooms[0].controller|not an OPC UA endpoint",
                    "controller: opc.tcp://192.168.1.50:4840/rooms|controller: opc.tcp://192.168.1.50:99999"
                            + "|rooms[0].controller|outside 1-65535",
                    "display-power: nsu=|display-power: Display/Power #|rooms[0].nodes.display-power"
                            + "|not an OPC UA node id",
                    "display-power: nsu=|display-power: ns=70000;s=x #|rooms[0].nodes.display-power"
                            + "|not an OPC UA node id",
                    "lights-level: nsu=|lights: nsu=|rooms[0].nodes.lights|not a room function",
                    "warm-up: 5m|warm-up: 45m|rooms[0].scene.warm-up|between PT0S and PT30M",
                    "lights: 80|lights: 150|rooms[0].scene.lights|from 0 to 100",
                    "input: HDMI1|input: true|rooms[0].scene.input|its number",
                    "setpoint: 18|setpoint: 2|rooms[0].standby.setpoint|from 5 to 35",
                    "setpoint: 21.5|setpoint: 21.5\\n      colour: red|rooms[0].scene.colour|not a known key",
                    "hvac-setpoint: ns=2;s=meeting-room-1/Climate/Setpoint|#|rooms[0].scene.setpoint"
                            + "|maps no node for hvac-setpoint",
                    "doors: [meeting-room-1]|doors: [boardroom]|rooms[0].doors[0]|not defined under doors",
                    "    controller: opc.tcp://192.168.1.50:4840/rooms|    #|rooms[0].controller|is missing",
                })
        void aBrokenRoomKeyIsNamedWithWhatIsWrong(String original, String replacement, String key, String message)
                throws IOException {
            String broken = example().replace(original, replacement.replace("\\n", "\n"));

            assertThatThrownBy(() -> EdgeConfigLoader.parse(broken, Path.of("/etc/gatehouse")))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                    .hasMessageStartingWith(key + ": ")
                    .hasMessageContaining(message);
        }

        @Test
        void aRoomWithoutNodesIsRefused() throws IOException {
            String yaml =
                    withoutRooms() + "\nrooms:\n  - id: r\n    controller: opc.tcp://10.0.0.5:4840\n    nodes: {}\n";

            assertThatThrownBy(() -> EdgeConfigLoader.parse(yaml, Path.of("/etc/gatehouse")))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo("rooms[0].nodes"))
                    .hasMessageContaining("map at least one function");
        }

        @Test
        void aRoomIdUsedTwiceOrADoorInTwoRoomsIsRefused() throws IOException {
            String second = "  - id: %s\n    doors: [%s]\n    controller: opc.tcp://10.0.0.5:4840\n" + ROOM_NODES;

            assertThatThrownBy(() -> EdgeConfigLoader.parse(
                            example() + second.formatted("meeting-room-1", "main-entrance"), Path.of("/etc/gatehouse")))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo("rooms[1].id"))
                    .hasMessageContaining("used twice");
            assertThatThrownBy(() -> EdgeConfigLoader.parse(
                            example() + second.formatted("boardroom", "meeting-room-1"), Path.of("/etc/gatehouse")))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo("rooms[1].doors[0]"))
                    .hasMessageContaining("already belongs to room 'meeting-room-1'");
        }
    }
}
