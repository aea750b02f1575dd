package dev.gatehouse.edge.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target for the edge agent's YAML configuration ({@link EdgeConfigLoader#parse}), which a
 * technician writes by hand and the installer edits. The contract: an {@link EdgeConfig}, or a
 * {@link ConfigException} naming the key at fault — never another exception (a stack trace instead
 * of a message naming the key), never a hang. Relative paths resolve in an empty scratch folder. The
 * seeds are the shipped example and variants of it, in {@code
 * src/test/resources/dev/gatehouse/edge/config/EdgeConfigFuzzTestInputs/parse/}.
 */
class EdgeConfigFuzzTest {
    private static Path baseDir;

    @BeforeAll
    static void scratchFolder() throws IOException {
        baseDir = Files.createTempDirectory("edge-config-fuzz");
    }

    @AfterAll
    static void removeScratchFolder() throws IOException {
        Files.deleteIfExists(baseDir);
    }

    @FuzzTest
    void parse(byte[] input) {
        try {
            EdgeConfigLoader.parse(new String(input, StandardCharsets.UTF_8), baseDir);
        } catch (ConfigException e) {
            // the documented refusal
        }
    }
}
