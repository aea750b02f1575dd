package dev.gatehouse.protocol.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool as a technician runs it: a separate JVM, real standard input and output, and exit codes
 * that a shell script can test. Covers what the in-process tests cannot — {@code main}'s wiring of
 * {@code System.in}, {@code System.out} and {@code System.exit}.
 */
class ProtocolToolIT {
    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {}

    private static Result tool(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProtocolTool.class.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(UTF_8));
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("the tool finishes")
                .isTrue();
        return new Result(process.exitValue(), new String(out.join(), UTF_8), new String(err.join(), UTF_8));
    }

    private static byte[] readAll(java.io.InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void keysTokensAndInspectionWorkThroughPipesWithMeaningfulExitCodes() throws Exception {
        Result key = tool("", "keygen", "--kid", "k1");
        assertThat(key.exit()).isZero();
        Path privateKey = Files.writeString(dir.resolve("hub.jwk"), key.out());

        Result publicKeys = tool(key.out(), "public-keys");
        assertThat(publicKeys.exit()).isZero();
        Path keys = Files.writeString(dir.resolve("keys.json"), publicKeys.out());

        Result token = tool("", "qr", "--key", privateKey.toString(), "--tenant", "acme", "--credential", "qr-7");
        assertThat(token.exit()).isZero();

        Result valid = tool(token.out(), "inspect", "--keys", keys.toString(), "--tenant", "acme", "--site", "hq");
        assertThat(valid.exit()).isZero();
        assertThat(valid.out()).contains("valid member QR token").contains("qr-7");

        Result wrongTenant =
                tool(token.out(), "inspect", "--keys", keys.toString(), "--tenant", "other", "--site", "hq");
        assertThat(wrongTenant.exit()).isEqualTo(1);
        assertThat(wrongTenant.err().strip())
                .startsWith("gatehouse: invalid: QR_WRONG_TENANT")
                .doesNotContain("\n");

        Result garbage = tool("\u00ff\u00fe not a message", "inspect", "--keys", keys.toString());
        assertThat(garbage.exit()).isEqualTo(1);
        assertThat(garbage.err().strip().lines().count()).isEqualTo(1);

        Result usage = tool("", "inspect");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).startsWith("gatehouse: missing option --keys");
    }

    @Test
    void theDemoRunsToTheEndAsAProgram() throws Exception {
        Result demo = tool("", "demo");

        assertThat(demo.exit()).isZero();
        assertThat(demo.out())
                .contains("edge  verified and applied it")
                .contains("GRANTED")
                .contains("DENIED");
        assertThat(demo.err()).isEmpty();
    }
}
