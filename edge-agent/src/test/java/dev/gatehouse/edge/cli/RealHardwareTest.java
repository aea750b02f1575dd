package dev.gatehouse.edge.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.agent.DemoSite;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} without {@code --simulate} on a machine without real GPIO: a clear error, nothing started. */
class RealHardwareTest {
    @Test
    void runWithoutSimulateStopsWithWhatToDoAndOpensNothing(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = new EdgeMain(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8))
                .run(new String[] {"run", "--config", demo.configFile.toString()});

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(UTF_8)).contains("no real GPIO on this machine").contains("--simulate");
        assertThat(out.toString(UTF_8)).doesNotContain("ready in");
        assertThat(Files.exists(demo.config().dataDir().resolve("cache.db"))).isFalse();
    }
}
