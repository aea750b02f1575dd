package dev.gatehouse.hub.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo writes the simulated edge's secrets as {@code gatehouse edge provision} does: owner-only.
 * A card key readable by every user of the machine lets anyone compute the hash of any card UID.
 */
class DemoSecretsTest {
    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void theEdgeFilesFromTheBundleAreOwnerOnly(@TempDir Path dir) throws Exception {
        JsonNode bundle = new ObjectMapper().readTree("""
                {"tenant":"acme","site":"site_1","device":"dev_1","zone":"Europe/Berlin",
                 "mqtt":{"url":"tcp://127.0.0.1:11883","username":"dev_1","password":"ghd_secret"},
                 "trustedKeys":{"keys":[]},
                 "cardKey":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                 "doors":[]}
                """);
        Path edge = dir.resolve("edge");

        Path config = EdgeSiteFiles.write(bundle, edge, List.of(), "5s");

        for (String name : new String[] {"card.key", "trusted-keys.json", "mqtt-password"}) {
            assertThat(mode(edge.resolve(name))).as(name).isEqualTo("rw-------");
        }
        assertThat(Files.readString(edge.resolve("card.key")).strip())
                .isEqualTo("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        assertThat(Files.readString(edge.resolve("mqtt-password")).strip()).isEqualTo("ghd_secret");
        assertThat(config).isEqualTo(edge.resolve("gatehouse.yaml"));
    }

    @Test
    void writingAgainKeepsTheSecretOwnerOnly(@TempDir Path dir) throws Exception {
        // A file left readable by an older demo run must not keep its mode when the demo writes it again.
        Path key = Files.writeString(dir.resolve("card.key"), "old\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        DemoSecrets.writeOwnerOnly(key, "new\n");

        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(Files.readString(key)).isEqualTo("new\n");
    }

    @Test
    void theInstructionsHoldingTheApiTokenAreOwnerOnly(@TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("edge")).resolve("gatehouse.yaml");
        DemoSeed.Seeded seeded = new DemoSeed.Seeded(
                "http://127.0.0.1:8080",
                "ght_demo_token",
                "ten_1",
                "site_1",
                "door_1",
                "door_2",
                "dev_1",
                "mem_1",
                "mem_2",
                "mem_3",
                "cred_1",
                "pass_1",
                "visitor-token",
                "tcp://127.0.0.1:11883",
                config,
                DemoSeed.OPERATOR,
                "operator-password-1",
                dir.resolve("mail"));

        DemoSeed.instructions(seeded, "./gatehouse");

        assertThat(Files.readString(dir.resolve("demo.txt"))).contains("ght_demo_token", "operator-password-1");
        assertThat(mode(dir.resolve("demo.txt"))).isEqualTo("rw-------");
    }
}
