package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.edge.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files the agent keeps: a data directory only its user can enter (it holds every member and every
 * entry), and secrets refused when others can read them or they belong to someone else.
 */
class AgentFilesTest {
    @Test
    void theDataDirectoryIsCreatedOwnerOnlyAndAnOpenOneIsTightened(@TempDir Path dir) throws Exception {
        // As filed, it was created with the umask's mode: 0755 on Raspberry Pi OS.
        DemoSite site = new DemoSite(dir);
        Path data = site.config().dataDir();
        try (SimulatedHardware hardware =
                        SimulatedHardware.forConfig(site.config(), dir.resolve("dev"), Clock.systemUTC());
                EdgeAgent agent = EdgeAgent.start(site.config(), hardware, Clock.systemUTC())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                    .isEqualTo("rwx------");
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (SimulatedHardware hardware =
                        SimulatedHardware.forConfig(site.config(), dir.resolve("dev-2"), Clock.systemUTC());
                EdgeAgent agent = EdgeAgent.start(site.config(), hardware, Clock.systemUTC())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    void aCardKeyOthersCanReadIsRefusedWithTheCommandThatFixesIt(@TempDir Path dir) throws Exception {
        DemoSite site = new DemoSite(dir);
        Path key = site.config().cardKeyFile();
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));

        try (SimulatedHardware hardware =
                SimulatedHardware.forConfig(site.config(), dir.resolve("dev"), Clock.systemUTC())) {
            assertThatThrownBy(() -> EdgeAgent.start(site.config(), hardware, Clock.systemUTC()))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo("card-key-file"))
                    .hasMessageContaining("rw-r-----")
                    .hasMessageContaining("chmod 600 " + key);
        }
    }

    @Test
    void aCardKeyOfAnotherUserIsRefused(@TempDir Path dir) throws Exception {
        // Only root may give a file away; elsewhere this cannot be set up.
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown the key to another user");
        DemoSite site = new DemoSite(dir);
        Path key = site.config().cardKeyFile();
        UserPrincipal nobody =
                key.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(key, nobody);

        try (SimulatedHardware hardware =
                SimulatedHardware.forConfig(site.config(), dir.resolve("dev"), Clock.systemUTC())) {
            assertThatThrownBy(() -> EdgeAgent.start(site.config(), hardware, Clock.systemUTC()))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo("card-key-file"))
                    .hasMessageContaining("belongs to nobody")
                    .hasMessageContaining("chown root " + key);
        }
    }
}
