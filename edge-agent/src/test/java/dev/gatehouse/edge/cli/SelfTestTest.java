package dev.gatehouse.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.sim.serial.PseudoTerminal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse-edge selftest} on this machine, which has no GPIO chip: a real pty for one reader
 * and a missing port for the other, secrets good and loose, a data directory too open, a broker that
 * answers. Each problem is one line that says how to fix it, and any FAIL exits 1.
 */
class SelfTestTest {
    record Result(int exit, List<String> lines) {
        List<String> starting(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    static Result selftest(Path config, Path dev) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new SelfTest(new PrintStream(out, true, StandardCharsets.UTF_8), dev).run(config);
        return new Result(
                exit, Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n")));
    }

    static Path site(Path dir, String nfcPort, int brokerPort) throws Exception {
        SecretFiles.writeOwnerOnly(dir.resolve("card.key"), "00".repeat(32) + "\n");
        SecretFiles.writeOwnerOnly(dir.resolve("keys.json"), "{\"keys\":[]}\n");
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_secret\n");
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, """
                site: {tenant: acme, id: hq, device: pi-1, zone: Europe/Berlin}
                data-dir: data
                card-key-file: card.key
                trusted-keys-file: keys.json
                hub:
                  mqtt-url: tcp://127.0.0.1:%d
                  password-file: mqtt-password
                doors:
                  - id: front
                    lock: fail-secure
                    relay-pin: 17
                    relay-active: low
                    contact-pin: 27
                    readers: [nfc, qr]
                readers:
                  - id: nfc
                    type: pn532
                    port: %s
                  - id: qr
                    type: serial-qr
                    port: /dev/serial/by-id/usb-Scanner-that-is-not-plugged-in
                """.formatted(brokerPort, nfcPort));
        return config;
    }

    @Test
    void everyProblemIsOneLineThatSaysHowToFixIt(@TempDir Path dir) throws Exception {
        try (PseudoTerminal pty = PseudoTerminal.open();
                ServerSocket broker = new ServerSocket(0)) {
            Path config = site(dir, pty.stablePath().toString(), broker.getLocalPort());
            Files.createDirectories(dir.resolve("data"));
            Files.setPosixFilePermissions(dir.resolve("data"), PosixFilePermissions.fromString("rwxr-xr-x"));

            Result result = selftest(config, dir.resolve("no-dev"));

            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.starting("ok    Java ")).hasSize(1);
            assertThat(result.starting("ok    config "))
                    .singleElement()
                    .asString()
                    .contains("1 doors, 2 readers");
            assertThat(result.starting("FAIL  gpio: no "))
                    .singleElement()
                    .asString()
                    .contains("--simulate");
            assertThat(result.lines())
                    .contains("ok    pin BCM 17: relay of front (active low)", "ok    pin BCM 27: contact of front");
            assertThat(result.starting("ok    reader nfc (pn532): " + pty.stablePath()))
                    .hasSize(1);
            assertThat(result.starting(
                            "FAIL  reader qr (serial-qr): /dev/serial/by-id/usb-Scanner-that-is-not-plugged-in"
                                    + " does not exist"))
                    .hasSize(1);
            assertThat(result.starting("WARN  data-dir "))
                    .singleElement()
                    .asString()
                    .contains("chmod 700");
            assertThat(result.starting("ok    card-key-file")).hasSize(1);
            assertThat(result.starting(
                            "ok    hub: the broker at tcp://127.0.0.1:" + broker.getLocalPort() + " answers"))
                    .hasSize(1);
            // the clock's line depends on this machine's NTP state: one more warning or none
            assertThat(result.starting("ok    clock: ").size()
                            + result.starting("WARN  clock: ").size())
                    .isEqualTo(1);
            assertThat(result.lines().getLast())
                    .startsWith("selftest: 2 problems, ")
                    .endsWith(result.starting("WARN  ").size() + " warning"
                            + (result.starting("WARN  ").size() == 1 ? "" : "s"));
        }
    }

    @Test
    void aGpioChipAndEveryPortPresentPassesAndLooseSecretsFail(@TempDir Path dir) throws Exception {
        try (PseudoTerminal nfc = PseudoTerminal.open();
                PseudoTerminal qr = PseudoTerminal.open()) {
            Path config = site(dir, nfc.stablePath().toString(), 9);
            Files.writeString(
                    config,
                    Files.readString(config)
                            .replace(
                                    "/dev/serial/by-id/usb-Scanner-that-is-not-plugged-in",
                                    qr.stablePath().toString()));
            // A directory standing in for /dev with the chip as a real device node's stand-in: this machine
            // has no GPIO, so the check is pointed at a directory that has one entry of that name.
            Path dev = Files.createDirectories(dir.resolve("dev"));
            Files.createFile(dev.resolve("gpiochip0"));
            Files.setPosixFilePermissions(dir.resolve("card.key"), PosixFilePermissions.fromString("rw-r--r--"));

            Result result = selftest(config, dev);

            assertThat(result.starting("ok    gpio: " + dev.resolve("gpiochip0")))
                    .hasSize(1);
            assertThat(result.starting("ok    reader qr (serial-qr)")).hasSize(1);
            assertThat(result.starting("FAIL  card-key-file: "))
                    .singleElement()
                    .asString()
                    .contains("chmod 600");
            assertThat(result.starting("ok    data-dir "))
                    .singleElement()
                    .asString()
                    .contains("creates it");
            assertThat(result.starting("WARN  hub: cannot reach the broker")).hasSize(1);
            assertThat(result.exit()).isEqualTo(1);
        }
    }

    @Test
    void aConfigThatDoesNotLoadIsTheOneFailure(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, "site: {tenant: acme}\n");
        Result result = selftest(config, dir);
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.starting("FAIL  config ")).hasSize(1);
        assertThat(result.lines().getLast()).isEqualTo("selftest: 1 problem, 0 warnings");
    }
}
