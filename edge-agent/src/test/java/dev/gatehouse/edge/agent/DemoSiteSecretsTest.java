package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse edge init-demo} writes its secrets as {@code gatehouse edge provision} does:
 * owner-only. A card key readable by every user of the Pi lets anyone compute any card's hash.
 */
class DemoSiteSecretsTest {
    @Test
    void theCardKeyAndTheDemoHubsPrivateKeyAreOwnerOnly(@TempDir Path dir) throws Exception {
        // An older run left them readable by everyone: writing again must not keep that mode.
        for (String name : new String[] {"card.key", "demo-hub-private.jwk"}) {
            Files.writeString(dir.resolve(name), "old");
            Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
        }

        DemoSite site = new DemoSite(dir);

        for (String name : new String[] {"card.key", "demo-hub-private.jwk"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
                    .as(name)
                    .isEqualTo("rw-------");
        }
        assertThat(site.config().cardKeyFile()).isEqualTo(dir.resolve("card.key"));
    }
}
