package dev.gatehouse.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.config.TrustedCas;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse edge provision BUNDLE.json DIR}: the hub's bundle becomes the files the agent reads. */
class ProvisioningTest {
    private static final String PASSWORD = "ghd_0123456789abcdefghijABCDEFGHIJ-_0123456";

    private static String bundle(String username) {
        String keys = KeySet.of(SigningKeys.generate("k1")).toJson();
        return """
                {"tenant":"acme","site":"site_1","device":"dev_1","zone":"Europe/Berlin",
                 "mqtt":{"url":"tcp://127.0.0.1:11883","username":"%s","password":"%s"},
                 "trustedKeys":%s,
                 "cardKey":"%s",
                 "doors":[{"id":"door_1","name":"Main entrance"},{"id":"door_2","name":"Back # door"}]}
                """.formatted(username, PASSWORD, keys, HexFormat.of().formatHex(new byte[32]));
    }

    @Test
    void theBundleBecomesSecretFilesAndAConfigThatLoadsOnceADoorHasItsPins(@TempDir Path dir) throws Exception {
        Path bundleFile = Files.writeString(dir.resolve("bundle.json"), bundle("dev_1"));
        Path site = dir.resolve("site");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = new EdgeMain(new PrintStream(out, true, StandardCharsets.UTF_8), System.err)
                .run(new String[] {"provision", bundleFile.toString(), site.toString()});

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("commented out");
        for (String name : new String[] {"card.key", "trusted-keys.json", "mqtt-password"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(site.resolve(name))))
                    .as(name)
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readString(site.resolve("mqtt-password")).strip()).isEqualTo(PASSWORD);
        String yaml = Files.readString(site.resolve("gatehouse.yaml"));
        assertThat(yaml).contains("#  - id: door_1", "#    name: Main entrance", "#    name: Back   door");
        EdgeConfig config = mapFirstDoor(site.resolve("gatehouse.yaml"));

        assertThat(config.site())
                .isEqualTo(new EdgeConfig.Site("acme", "site_1", "dev_1", java.time.ZoneId.of("Europe/Berlin")));
        assertThat(config.hub().orElseThrow())
                .isEqualTo(EdgeConfig.Hub.of("tcp://127.0.0.1:11883", site.resolve("mqtt-password")));
        assertThat(config.door("door_1"))
                .hasValueSatisfying(door -> assertThat(door.relayActiveLow()).isTrue());
    }

    /** The technician sets the pins of the first door and uncomments it; answers the config loaded. */
    private static EdgeConfig mapFirstDoor(Path file) throws IOException {
        String edited = Files.readString(file)
                .replace("#  - id: door_1", "  - id: door_1")
                .replace("#    name: Main entrance", "    name: Main entrance")
                .replaceFirst("#    lock: fail-secure", "    lock: fail-secure")
                .replaceFirst("#    relay-pin: 17", "    relay-pin: 17")
                .replaceFirst("#    relay-active: low", "    relay-active: low")
                .replaceFirst("#    readers: \\[\\]", "    readers: []");
        Files.writeString(file, edited);
        return EdgeConfigLoader.load(file);
    }

    @Test
    void theHubsPrivateCaIsKeptBesideTheConfigAndNamedInIt(@TempDir Path dir) throws Exception {
        // Why: enroll --ca-file trusts the hub's private CA once; the agent needs it at every connect.
        TrustedCas ca = TrustedCas.read(Path.of("src/test/resources/tls/test-ca.pem"), "--ca-file");

        Provisioning.Written written =
                Provisioning.write(Provisioning.parse(bundle("dev_1")), dir.resolve("site"), "data", Optional.of(ca));

        Path copy = dir.resolve("site").resolve(Provisioning.CA_FILE);
        assertThat(written.caFile()).contains(copy);
        assertThat(copy).hasSameTextualContentAs(ca.file());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
                .isEqualTo("rw-r--r--");
        assertThat(mapFirstDoor(written.config()).hub().orElseThrow().caFile()).contains(copy);
        // Enrolling again with the kept copy leaves it as it is.
        Provisioning.write(
                Provisioning.parse(bundle("dev_1")),
                dir.resolve("site"),
                "data",
                Optional.of(TrustedCas.read(copy, "--ca-file")));
        assertThat(copy).hasSameTextualContentAs(ca.file());
    }

    @Test
    void provisioningAgainReplacesThePasswordButKeepsTheEditedConfig(@TempDir Path dir) throws Exception {
        Provisioning.write(Provisioning.parse(bundle("dev_1")), dir);
        Files.writeString(dir.resolve("gatehouse.yaml"), "# edited\n");

        Provisioning.Written again =
                Provisioning.write(Provisioning.parse(bundle("dev_1").replace(PASSWORD, "ghd_new")), dir);

        assertThat(again.configWritten()).isFalse();
        assertThat(Files.readString(dir.resolve("gatehouse.yaml"))).isEqualTo("# edited\n");
        assertThat(Files.readString(dir.resolve("mqtt-password")).strip()).isEqualTo("ghd_new");
    }

    @Test
    void aBundleThatDoesNotFitIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Provisioning.parse(bundle("dev_2"))).hasMessageStartingWith("mqtt.username: ");
        assertThatThrownBy(() -> Provisioning.parse(bundle("dev_1").replace("\"cardKey\":\"00", "\"cardKey\":\"zz")))
                .hasMessageStartingWith("cardKey: ");
        assertThatThrownBy(() -> Provisioning.parse(bundle("dev_1").replace("\"zone\"", "\"colour\":1,\"zone\"")))
                .hasMessageStartingWith("colour: ");
        assertThatThrownBy(() -> Provisioning.parse(bundle("dev_1").replace("Europe/Berlin", "+01:00")))
                .hasMessageStartingWith("zone: ");
    }
}
